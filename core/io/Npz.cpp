#include "io/Npz.h"

#include <torch/torch.h>
#include <zlib.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "io/RegularFile.h"

namespace ternlab::npz {

namespace {

struct Dtype {
  at::ScalarType type;
  const char* descr;
};
const Dtype kDtypes[] = {{at::kFloat, "<f4"}, {at::kDouble, "<f8"}, {at::kChar, "|i1"},
                         {at::kByte, "|u1"},  {at::kInt, "<i4"},    {at::kLong, "<i8"}};

void put16(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v & 0xff));
  s.push_back(static_cast<char>((v >> 8) & 0xff));
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}
std::uint32_t get16(const std::string& s, std::size_t at) {
  if (at + 2 > s.size()) throw std::runtime_error("truncated zip structure");
  return static_cast<std::uint8_t>(s[at]) | (static_cast<std::uint8_t>(s[at + 1]) << 8);
}
std::uint32_t get32(const std::string& s, std::size_t at) { return get16(s, at) | (get16(s, at + 2) << 16); }

}  // namespace

std::string encodeNpy(const at::Tensor& tensor) {
  auto t = tensor.detach().to(torch::kCPU).contiguous();
  const char* descr = nullptr;
  for (const auto& d : kDtypes)
    if (d.type == t.scalar_type()) descr = d.descr;
  if (!descr) throw std::runtime_error(std::string("npy: unsupported dtype ") + c10::toString(t.scalar_type()));
  std::string shape = "(";
  for (auto d : t.sizes()) shape += std::to_string(d) + ", ";
  if (t.dim() > 1) shape.erase(shape.size() - 2, 1);  // "(3, 4)"; a 1-D shape keeps its comma: "(3,)"
  if (t.dim() > 0) shape.pop_back();
  shape += ")";
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  put16(out, static_cast<std::uint32_t>(header.size()));
  out += header;
  out.append(static_cast<const char*>(t.data_ptr()), t.numel() * t.element_size());
  return out;
}

at::Tensor decodeNpy(const std::string& b) {
  if (b.size() < 10 || b.compare(0, 6, "\x93NUMPY") != 0) throw std::runtime_error("npy: bad magic");
  if (b[6] != 1 && b[6] != 2 && b[6] != 3) throw std::runtime_error("npy: unknown format version " + std::to_string(int(b[6])));
  const std::size_t hlen = b[6] == 1 ? get16(b, 8) : get32(b, 8);
  const std::size_t start = b[6] == 1 ? 10 : 12;
  if (hlen > b.size() || start > b.size() - hlen) throw std::runtime_error("npy: truncated header");
  const std::string h = b.substr(start, hlen);
  // The header is a Python dict literal; each value is found after its key, and every search is bounded.
  auto valueAt = [&](const std::string& key) {
    const auto p = h.find("'" + key + "':");
    if (p == std::string::npos) throw std::runtime_error("npy: header has no '" + key + "'");
    const auto v = h.find_first_not_of(' ', p + key.size() + 3);
    if (v == std::string::npos) throw std::runtime_error("npy: header has no value for '" + key + "'");
    return v;
  };
  const auto dq = valueAt("descr");
  const auto dqEnd = h[dq] == '\'' ? h.find('\'', dq + 1) : std::string::npos;
  if (dqEnd == std::string::npos) throw std::runtime_error("npy: 'descr' is not a quoted string");
  const std::string descr = h.substr(dq + 1, dqEnd - dq - 1);
  const auto fo = valueAt("fortran_order");
  if (h.compare(fo, 4, "True") == 0) throw std::runtime_error("npy: fortran order is not supported");
  if (h.compare(fo, 5, "False") != 0) throw std::runtime_error("npy: 'fortran_order' is neither True nor False");
  const auto sp = valueAt("shape");
  const auto se = h[sp] == '(' ? h.find(')', sp) : std::string::npos;
  if (se == std::string::npos) throw std::runtime_error("npy: 'shape' is not a tuple");
  std::vector<std::int64_t> shape;
  std::size_t count = 1;
  const std::string dims = h.substr(sp + 1, se - sp - 1);
  for (std::size_t i = 0; i < dims.size();) {
    const auto j = dims.find(',', i);
    std::string tok = dims.substr(i, j == std::string::npos ? std::string::npos : j - i);
    tok.erase(0, tok.find_first_not_of(' '));
    tok.erase(tok.find_last_not_of(' ') + 1);
    if (!tok.empty()) {
      if (tok.size() > 12 || tok.find_first_not_of("0123456789") != std::string::npos)
        throw std::runtime_error("npy: shape entry '" + tok.substr(0, 20) + "' is not a size");
      const auto d = std::stoll(tok);
      if (shape.size() >= 32) throw std::runtime_error("npy: more than 32 dimensions");
      if (d > 0 && count > (std::size_t(1) << 40) / static_cast<std::size_t>(d))
        throw std::runtime_error("npy: shape holds more than 2^40 elements");
      count *= static_cast<std::size_t>(d);
      shape.push_back(d);
    }
    if (j == std::string::npos) break;
    i = j + 1;
  }
  const Dtype* dt = nullptr;
  for (const auto& d : kDtypes)
    if (descr == d.descr || (descr.size() == 3 && d.descr[0] == '|' && descr.substr(1) == std::string(d.descr + 1)))
      dt = &d;
  if (!dt) throw std::runtime_error("npy: unsupported dtype " + descr.substr(0, 20));
  const std::size_t bytes = count * c10::elementSize(dt->type);
  const std::size_t dataAt = start + hlen;
  if (bytes > b.size() - dataAt)  // checked before allocating: a header cannot promise what the file lacks
    throw std::runtime_error("npy: shape needs " + std::to_string(bytes) + " bytes of data, member has " +
                             std::to_string(b.size() - dataAt));
  auto t = torch::empty(shape, torch::TensorOptions().dtype(dt->type));
  if (bytes > 0) std::memcpy(t.data_ptr(), b.data() + dataAt, bytes);  // an empty tensor has no data pointer
  return t;
}

void writeNpz(const std::string& path, const std::vector<Member>& members) {
  std::string zip, central;
  std::uint16_t count = 0;
  for (const auto& m : members) {
    const std::string name = m.tensor.defined() ? m.name + ".npy" : m.name;
    const std::string data = m.tensor.defined() ? encodeNpy(m.tensor) : m.bytes;
    if (data.size() >= 0xffffffffu || zip.size() >= 0xffffffffu) throw std::runtime_error(path + ": too large for zip32");
    const auto crc = static_cast<std::uint32_t>(
        crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const auto offset = static_cast<std::uint32_t>(zip.size());
    // Local file header: version 2.0, no flags, method 0 (stored), DOS date 1980-01-01.
    put32(zip, 0x04034b50);
    put16(zip, 20);
    put16(zip, 0);
    put16(zip, 0);
    put16(zip, 0);
    put16(zip, 0x21);
    put32(zip, crc);
    put32(zip, static_cast<std::uint32_t>(data.size()));
    put32(zip, static_cast<std::uint32_t>(data.size()));
    put16(zip, static_cast<std::uint32_t>(name.size()));
    put16(zip, 0);
    zip += name;
    zip += data;
    put32(central, 0x02014b50);
    put16(central, 20);
    put16(central, 20);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0);
    put16(central, 0x21);
    put32(central, crc);
    put32(central, static_cast<std::uint32_t>(data.size()));
    put32(central, static_cast<std::uint32_t>(data.size()));
    put16(central, static_cast<std::uint32_t>(name.size()));
    put16(central, 0);  // extra
    put16(central, 0);  // comment
    put16(central, 0);  // disk
    put16(central, 0);  // internal attributes
    put32(central, 0);  // external attributes
    put32(central, offset);
    central += name;
    ++count;
  }
  const auto cdOffset = static_cast<std::uint32_t>(zip.size());
  zip += central;
  put32(zip, 0x06054b50);
  put16(zip, 0);
  put16(zip, 0);
  put16(zip, count);
  put16(zip, count);
  put32(zip, static_cast<std::uint32_t>(central.size()));
  put32(zip, cdOffset);
  put16(zip, 0);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error(path + ": cannot open for writing");
  f.write(zip.data(), static_cast<std::streamsize>(zip.size()));
  if (!f) throw std::runtime_error(path + ": write failed");
}

std::vector<Member> readNpz(const std::string& path) {
  std::string z;
  try {
    z = io::readRegularFile(path, std::size_t(4) << 30, "an .npz file");
  } catch (const io::FileError& e) {
    throw std::runtime_error(e.what());
  }
  if (z.size() < 22) throw std::runtime_error(path + ": not a zip file");
  std::size_t eocd = std::string::npos;
  for (std::size_t i = z.size() - 22 + 1; i-- > 0;)
    if (get32(z, i) == 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd == std::string::npos) throw std::runtime_error(path + ": no zip end record");
  std::vector<Member> out;
  std::string name;
  try {
    const auto entries = get16(z, eocd + 10);
    std::size_t p = get32(z, eocd + 16);
    for (std::uint32_t e = 0; e < entries; ++e) {
      name.clear();
      if (get32(z, p) != 0x02014b50) throw std::runtime_error("bad central directory entry " + std::to_string(e));
      const auto method = get16(z, p + 10);
      const auto crc = get32(z, p + 16);
      const std::size_t size = get32(z, p + 20);
      const std::size_t nlen = get16(z, p + 28), xlen = get16(z, p + 30), clen = get16(z, p + 32);
      const std::size_t local = get32(z, p + 42);
      if (p + 46 + nlen > z.size()) throw std::runtime_error("central directory entry " + std::to_string(e) + " is truncated");
      name = z.substr(p + 46, nlen);
      p += 46 + nlen + xlen + clen;
      if (method != 0) throw std::runtime_error("is compressed (only stored members are read)");
      if (get32(z, local) != 0x04034b50) throw std::runtime_error("has no local header at offset " + std::to_string(local));
      const std::size_t dataAt = local + 30 + get16(z, local + 26) + get16(z, local + 28);
      if (dataAt > z.size() || size > z.size() - dataAt) throw std::runtime_error("is truncated");
      std::string data = z.substr(dataAt, size);
      const auto actual = static_cast<std::uint32_t>(
          crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
      if (actual != crc) throw std::runtime_error("fails its CRC check");
      Member m;
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) {
        m.name = name.substr(0, name.size() - 4);
        m.tensor = decodeNpy(data);
      } else {
        m.name = name;
        m.bytes = std::move(data);
      }
      out.push_back(std::move(m));
    }
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + (name.empty() ? std::string() : "member " + name + " ") + e.what());
  }
  return out;
}

}  // namespace ternlab::npz
