// PyTorch state_dict import: the name table, shape and completeness checks by name, and pickles that must be
// refused with the file and the fault (written here with LibTorch's own zip writer, as torch.save lays them out).
#include <caffe2/serialize/inline_container.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "ErrorOf.h"
#include "TestDir.h"
#include "train/PyTorchWeights.h"

using namespace ternlab::train;

namespace {

using ternlab::testsupport::errorOf;

// A torch.save-style archive "<stem>/data.pkl" holding `pickle` (and no tensors).
std::string writeArchive(const std::string& path, const std::string& pickle) {
  caffe2::serialize::PyTorchStreamWriter w(path);
  w.writeRecord("data.pkl", pickle.data(), pickle.size());
  w.writeEndOfFile();
  return path;
}

}  // namespace

TEST(PyTorchWeightsTest, NamesMapByTheDocumentedTable) {
  EXPECT_EQ(ternlabNameOf("conv1.weight"), "conv1.weight");
  EXPECT_EQ(ternlabNameOf("module.bn3.running_var"), "bn3.running_var");
  EXPECT_EQ(ternlabNameOf("layer2.0.conv1.weight"), "layer2_0.conv1.weight");
  EXPECT_EQ(ternlabNameOf("layer3.1.downsample.0.weight"), "layer3_1.shortcut.weight");
  EXPECT_EQ(ternlabNameOf("layer3.1.downsample.1.running_mean"), "layer3_1.bn_shortcut.running_mean");
  EXPECT_EQ(ternlabNameOf("module.layer1.2.shortcut.1.bias"), "layer1_2.bn_shortcut.bias");
  EXPECT_EQ(ternlabNameOf("linear.bias"), "fc.bias");
  EXPECT_EQ(ternlabNameOf("fc.linear.weight"), "fc.linear.weight");  // only a top-level "linear."
}

TEST(PyTorchWeightsTest, MappingChecksShapesAndCompletenessByName) {
  ModelState target{{"conv1.weight", torch::zeros({6, 1, 5, 5})},
                    {"bn1.running_mean", torch::zeros({6})},
                    {"layer1_0.conv1.weight", torch::zeros({16, 16, 3, 3})},
                    {"conv1.weight_quantizer.step", torch::zeros({1})}};  // quantizer state: not expected
  ModelState file{{"conv1.weight", torch::ones({6, 1, 5, 5}, torch::kFloat64)},
                  {"bn1.running_mean", torch::ones({6})},
                  {"module.layer1.0.conv1.weight", torch::ones({16, 16, 3, 3})}};
  const auto out = mapPyTorchState(file, target, "w.pt");
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out.at("conv1.weight").scalar_type(), torch::kFloat32);  // converted to the model's type
  EXPECT_TRUE(torch::equal(out.at("layer1_0.conv1.weight"), torch::ones({16, 16, 3, 3})));

  auto wrong = file;
  wrong["conv1.weight"] = torch::ones({6, 3, 5, 5});
  EXPECT_NE(errorOf<std::runtime_error>([&] { mapPyTorchState(wrong, target, "w.pt"); })
                .find("w.pt: conv1.weight: the file has [6, 3, 5, 5], the TernLab model's conv1.weight is [6, 1, 5, 5]"),
            std::string::npos);
  auto extra = file;
  extra["layer1.0.se.weight"] = torch::ones({1});
  EXPECT_NE(errorOf<std::runtime_error>([&] { mapPyTorchState(extra, target, "w.pt"); })
                .find("layer1.0.se.weight (as layer1_0.se.weight) has no counterpart"),
            std::string::npos);
  auto missing = file;
  missing.erase("bn1.running_mean");
  EXPECT_NE(errorOf<std::runtime_error>([&] { mapPyTorchState(missing, target, "w.pt"); }).find("holds no tensor for the model's bn1.running_mean"),
            std::string::npos);
}

TEST(PyTorchWeightsTest, BadArchivesNameTheFileAndTheFault) {
  const auto d = ternlab::testsupport::freshTestDir("pytorch");
  // A pickle opcode a state_dict never uses (PERSID, text form) is refused with its offset.
  const auto odd = writeArchive((d / "odd.pt").string(), std::string("\x80\x02P0\n.", 6));
  EXPECT_TRUE(isPyTorchArchive(odd));
  auto e = errorOf<std::runtime_error>([&] { readPyTorchStateDict(odd); });
  EXPECT_NE(e.find(odd + ": data.pkl: pickle opcode 0x50 at byte 2"), std::string::npos) << e;
  // Truncated inside a string.
  const auto cut = writeArchive((d / "cut.pt").string(), std::string("\x80\x02X\x10\x00\x00\x00" "ab", 9));
  e = errorOf<std::runtime_error>([&] { readPyTorchStateDict(cut); });
  EXPECT_NE(e.find(cut + ": data.pkl: truncated"), std::string::npos) << e;
  // A well-formed pickle of something else than a dict.
  const auto list = writeArchive((d / "list.pt").string(), std::string("\x80\x02]q\x00.", 6));
  e = errorOf<std::runtime_error>([&] { readPyTorchStateDict(list); });
  EXPECT_NE(e.find(list + ": does not hold a dict of tensors"), std::string::npos) << e;
  // Not a zip at all.
  std::ofstream((d / "text.pt").string()) << "hello";
  EXPECT_FALSE(isPyTorchArchive((d / "text.pt").string()));
  e = errorOf<std::runtime_error>([&] { readPyTorchStateDict((d / "text.pt").string()); });
  EXPECT_NE(e.find("text.pt: not a torch.save zip archive"), std::string::npos) << e;
}
