// Hand-made hostile files for every reader: decompression bombs, sizes that overflow, zero geometry,
// absurd nesting and counts, and paths that are directories, devices or FIFOs. Each must be refused
// with an error naming the file and the field, with the right numbers, and nothing else.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <torch/torch.h>
#include <unistd.h>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>

#include "ErrorOf.h"
#include "TestDir.h"
#include "TinyTnn.h"
#include "config/ConfigError.h"
#include "config/ExperimentConfig.h"
#include "data/DataError.h"
#include "data/Dataset.h"
#include "data/IdxReader.h"
#include "engine/TnnFile.h"
#include "io/Npz.h"
#include "store/RunStore.h"
#include "store/Sqlite.h"

using namespace ternlab;
namespace fs = std::filesystem;

namespace {

using ternlab::testsupport::errorOf;

fs::path freshDir() { return testsupport::freshTestDir("hostile"); }

void writeAll(const fs::path& p, const std::string& s) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(s.data(), static_cast<std::streamsize>(s.size()));
}

std::string idxHeader(std::initializer_list<std::uint32_t> dims) {
  std::string h{'\0', '\0', '\x08', static_cast<char>(dims.size())};
  for (auto d : dims)
    for (int s = 24; s >= 0; s -= 8) h.push_back(static_cast<char>((d >> s) & 0xff));
  return h;
}

// gzip of prefix followed by zeroBytes zeros, streamed so the test never holds the inflated data.
std::string gzipWithZeros(const std::string& prefix, std::size_t zeroBytes) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out;
  std::vector<unsigned char> buf(1 << 16), zeros(1 << 20, 0);
  auto pump = [&](const unsigned char* in, std::size_t n, int flush) {
    zs.next_in = const_cast<unsigned char*>(in);
    zs.avail_in = static_cast<uInt>(n);
    do {
      zs.next_out = buf.data();
      zs.avail_out = static_cast<uInt>(buf.size());
      deflate(&zs, flush);
      out.append(reinterpret_cast<char*>(buf.data()), buf.size() - zs.avail_out);
    } while (zs.avail_out == 0);
  };
  pump(reinterpret_cast<const unsigned char*>(prefix.data()), prefix.size(), Z_NO_FLUSH);
  for (std::size_t left = zeroBytes; left > 0;) {
    const std::size_t n = std::min(left, zeros.size());
    pump(zeros.data(), n, Z_NO_FLUSH);
    left -= n;
  }
  pump(nullptr, 0, Z_FINISH);
  deflateEnd(&zs);
  return out;
}

void expectHas(const std::string& msg, const std::string& part) {
  EXPECT_NE(msg.find(part), std::string::npos) << "missing \"" << part << "\" in: " << msg;
}

}  // namespace

// Decompression bombs: a small gzip file cannot make a reader inflate more than its header promises.
TEST(HostileInput, GzipPromisingMoreThanItCanHoldIsRefusedBeforeInflating) {
  const auto d = freshDir();
  const auto f = (d / "train-images-idx3-ubyte.gz").string();
  writeAll(f, gzipWithZeros(idxHeader({60000, 28, 28}), 100));
  const auto size = fs::file_size(f);
  const auto e = errorOf<data::DataError>([&] { data::readIdx(f, 3); });
  expectHas(e, f + ": header promises 47040000 bytes of data, more than a gzip stream of " + std::to_string(size) +
                   " bytes can inflate to");
}

TEST(HostileInputIntegration, GzipInflatingPastItsHeaderStopsAtThePromise) {
  const auto d = freshDir();
  const auto f = (d / "labels.gz").string();
  writeAll(f, gzipWithZeros(idxHeader({4}), 256u << 20));  // promises 4 labels, inflates to 256 MiB
  const auto e = errorOf<data::DataError>([&] { data::readIdx(f, 1); });
  expectHas(e, f + ": wrong size: header promises 4 bytes of data, the file holds more (trailing bytes)");
}

TEST(HostileInputIntegration, CifarBatchInflatingBeyondAnyBatchIsRefused) {
  const auto d = freshDir();
  const auto f = (d / "data_batch_1.bin").string();
  writeAll(f, gzipWithZeros("", 100001u * 3073u));  // one record more than the cap, all label 0
  const auto e = errorOf<data::DataError>([&] { data::readCifar10Batches({f}, "cifar10"); });
  expectHas(e, f + ": inflates to more than 293.1 MiB, more than a CIFAR-10 batch file (100000 records) may hold");
}

// Integer overflow: sizes are checked before they are multiplied or allocated.
TEST(HostileInput, IdxDimensionsWhoseProductOverflowsAreRefused) {
  const auto d = freshDir();
  const auto f = (d / "huge-idx3").string();
  writeAll(f, idxHeader({0xffffffffu, 0xffffffffu, 0xffffffffu}) + "xx");
  const auto e = errorOf<data::DataError>([&] { data::readIdx(f, 3); });
  expectHas(e, f + ": dimensions promise more than the 4 GiB an IDX file may hold");
}

TEST(HostileInput, NpyShapesThatOverflowOrExceedTheDataAreRefused) {
  const auto d = freshDir();
  auto npzWith = [&](const std::string& name, const std::string& shape, std::size_t dataBytes) {
    std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
    h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
    h.push_back('\n');
    std::string npy("\x93NUMPY\x01\x00", 8);
    npy.push_back(static_cast<char>(h.size() & 0xff));
    npy.push_back(static_cast<char>(h.size() >> 8));
    npy += h + std::string(dataBytes, '\0');
    const auto path = (d / (name + ".npz")).string();
    npz::writeNpz(path, {{name + ".npy", {}, npy}});
    return path;
  };
  auto f = npzWith("overflow", "(4294967296, 4294967296, 4294967296)", 8);
  auto e = errorOf<std::runtime_error>([&] { npz::readNpz(f); });
  expectHas(e, f + ": member overflow.npy npy: shape holds more than 2^40 elements");
  f = npzWith("short", "(1000000,)", 8);
  e = errorOf<std::runtime_error>([&] { npz::readNpz(f); });
  expectHas(e, f + ": member short.npy npy: shape needs 4000000 bytes of data, member has 8");
  f = npzWith("negative", "(-1, 4)", 8);
  e = errorOf<std::runtime_error>([&] { npz::readNpz(f); });
  expectHas(e, f + ": member negative.npy npy: shape entry '-1' is not a size");
}

// Zero, negative and oversized geometry in a .tnn is refused when read, naming the layer or step.
TEST(HostileInput, TnnGeometryThatCannotRunIsRefusedNamingTheLayer) {
  const auto d = freshDir();
  struct Case {
    const char* name;
    std::function<void(engine::TnnModel&)> damage;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"stride0", [](auto& m) { m.layers[0].stride = 0; }, "layer conv: bad geometry"},
      {"negpad", [](auto& m) { m.layers[0].pad = -1; }, "layer conv: bad geometry"},
      {"kernel0", [](auto& m) { m.layers[0].kernel = 0; m.layers[0].codes.clear(); }, "layer conv has a bad geometry"},
      {"outc0", [](auto& m) { m.layers[0].outC = 0; m.layers[0].codes.clear(); m.layers[0].scale.clear(); m.layers[0].bias.clear(); },
       "layer conv has a bad geometry"},
      {"pool0",
       [](auto& m) {
         engine::TnnOp pool;
         pool.op = engine::OpKind::MaxPool, pool.k = 0;
         m.program.insert(m.program.begin() + 1, pool);
       },
       "pool size does not fit the map"},
      {"nanscale", [](auto& m) { m.layers[0].scale[1] = std::nanf(""); }, "layer conv: a scale is not a finite number"},
      {"infweight", [](auto& m) { m.layers[1].weights[5] = INFINITY; }, "layer fc: a weight is not a finite number"},
      {"bigmap", [](auto& m) { m.inH = m.inW = 4096; m.inC = 8; }, "a 8x4096x4096 map is larger than the 67108864 values"},
  };
  for (const auto& c : cases) {
    auto m = testsupport::tinyModel();
    c.damage(m);
    const auto f = (d / (std::string(c.name) + ".tnn")).string();
    engine::writeTnn(m, f);
    const auto e = errorOf<engine::TnnError>([&] { engine::readTnn(f); });
    expectHas(e, f + ": ");
    expectHas(e, c.expected);
  }
}

// JSON: nesting depth and counts are bounded, with the byte or key named.
TEST(HostileInput, DeeplyNestedJsonIsRefusedAtTheByteWhereItPassesTheBound) {
  const auto d = freshDir();
  const auto f = (d / "deep.json").string();
  writeAll(f, "{\"stages\": " + std::string(200000, '[') + std::string(200000, ']') + "}");
  const auto e = errorOf<config::ConfigError>([&] { config::loadExperimentFile(f); });
  expectHas(e, f + ": not accepted: nesting deeper than 64 levels at byte 74");
}

TEST(HostileInput, MoreStagesThanThePipelineBoundAreRefused) {
  const auto d = freshDir();
  const auto f = (d / "stages.json").string();
  std::string stages;
  for (int i = 0; i < 33; ++i) stages += std::string(i ? "," : "") + "{\"epochs\": 1}";
  writeAll(f, "{\"stages\": [" + stages + "]}");
  const auto e = errorOf<config::ConfigError>([&] { config::loadExperimentFile(f); });
  expectHas(e, f + ": 'stages': has 33 stages, at most 32 are allowed");
}

TEST(HostileInput, OversizedExperimentFileIsRefusedWithoutParsing) {
  const auto d = freshDir();
  const auto f = (d / "big.json").string();
  writeAll(f, "{\"name\": \"" + std::string(5u << 20, 'x') + "\"}");
  const auto e = errorOf<config::ConfigError>([&] { config::loadExperimentFile(f); });
  expectHas(e, f + ": is 5.0 MiB, more than the 4 MiB an experiment file may hold");
}

// Paths that are not regular files: refused at once (a FIFO is never waited on).
TEST(HostileInput, DirectoriesDevicesAndFifosAreRefusedByEveryReader) {
  const auto d = freshDir();
  const auto fifo = (d / "pipe").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto dir = (d / "folder").string();
  fs::create_directories(dir);
  const std::string dev = "/dev/zero";
  for (const auto& entry : std::vector<std::pair<std::string, std::string>>{
           {fifo, "is a FIFO"}, {dir, "is a directory"}, {dev, "is a character device"}}) {
    const std::string path = entry.first, kind = entry.second;  // named: lambdas cannot capture bindings
    expectHas(errorOf<config::ConfigError>([&] { config::loadExperimentFile(path); }), path + ": " + kind + ", expected an experiment file");
    expectHas(errorOf<data::DataError>([&] { data::readIdx(path, 3); }), path + ": " + kind + ", expected a dataset file");
    expectHas(errorOf<engine::TnnError>([&] { engine::readTnn(path); }), path + ": " + kind + ", expected a .tnn file");
    expectHas(errorOf<std::runtime_error>([&] { npz::readNpz(path); }), path + ": " + kind + ", expected an .npz file");
  }
  expectHas(errorOf<store::StoreError>([&] { store::RunStore s(fifo); }), fifo + ": is a FIFO, expected a run database file");
  expectHas(errorOf<store::StoreError>([&] { store::RunStore s(dev); }), dev + ": is a character device, expected a run database file");
}

// A store this process may not write is still listed (read-only); writing to it is refused naming it.
TEST(HostileInput, ReadOnlyStoreCanStillBeListed) {
  const auto d = freshDir();
  const auto db = (d / "runs.sqlite").string();
  {
    store::RunStore s(db);
    store::NewRun r;
    r.name = "kept";
    r.kind = "train";
    r.configJson = "{}";
    const auto id = s.createRun(r);
    s.logMetrics(id, {{"test/acc", 1, 1, 0.0, 0.75}});
    s.setStatus(id, store::RunStatus::Finished);
  }
  const auto before = fs::file_size(db);
  ::chmod(db.c_str(), 0444);
  ::chmod(d.c_str(), 0555);
  // Root ignores permission bits: the check then runs in a child that gives them up (uid nobody).
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(10);
    try {
      store::RunStore s(db);
      if (!s.readOnly()) ::_exit(11);
      const auto runs = s.listRuns();
      if (runs.size() != 1 || runs[0].name != "kept" || runs[0].status != store::RunStatus::Finished) ::_exit(12);
      if (s.metrics(runs[0].id, "test/acc").size() != 1) ::_exit(13);
      try {
        s.setNote(runs[0].id, "x");
        ::_exit(14);
      } catch (const store::StoreError& e) {
        if (std::string(e.what()).find(db) == std::string::npos) ::_exit(15);
      }
    } catch (...) {
      ::_exit(16);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ::chmod(d.c_str(), 0755);
  ::chmod(db.c_str(), 0644);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 10) GTEST_SKIP() << "running as root where root may not drop to uid nobody";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10 setuid, 11 not read-only, 12 list, 13 metrics, 14 write allowed, "
                                       "15 error without the file, 16 exception";
  EXPECT_EQ(fs::file_size(db), before);
}
