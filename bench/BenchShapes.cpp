#include "BenchShapes.h"

#include "kernels/CycleClock.h"

namespace ternlab::bench {
namespace {

int gThreads = 1;

LayerShape gemm(const std::string& name, int M, int N, int K, bool fc) {
  LayerShape s;
  s.isFc = fc;
  s.gemm = {name, M, N, K};
  return s;
}

// A convolution as its im2row GEMM: stride 1, "same" padding.
LayerShape conv(const std::string& name, int c, int hw, int oc, int k) {
  LayerShape s;
  s.isConv = true;
  s.gemm = {name, hw * hw, oc, k * k * c, c, hw, oc, k};
  return s;
}

}  // namespace

std::vector<LayerShape> allShapes() {
  return {
      // ResNet-20 (CIFAR) 3x3 layers.
      conv("resnet20_3x3_c16_32x32", 16, 32, 16, 3), conv("resnet20_3x3_c32_16x16", 32, 16, 32, 3),
      conv("resnet20_3x3_c64_8x8", 64, 8, 64, 3),
      // VGG-Small (CIFAR) 3x3 layers.
      conv("vggs_3x3_c128_32x32", 128, 32, 128, 3), conv("vggs_3x3_c128to256_16x16", 128, 16, 256, 3),
      conv("vggs_3x3_c256_16x16", 256, 16, 256, 3), conv("vggs_3x3_c256to512_8x8", 256, 8, 512, 3),
      conv("vggs_3x3_c512_8x8", 512, 8, 512, 3),
      // ResNet-18 (ImageNet) 3x3 and 1x1 layers, stride-1 equivalents.
      conv("resnet18_3x3_c64_56x56", 64, 56, 64, 3), conv("resnet18_3x3_c128_28x28", 128, 28, 128, 3),
      conv("resnet18_3x3_c256_14x14", 256, 14, 256, 3), conv("resnet18_3x3_c512_7x7", 512, 7, 512, 3),
      conv("resnet18_1x1_c64to128_28x28", 64, 28, 128, 1), conv("resnet18_1x1_c128to256_14x14", 128, 14, 256, 1),
      conv("resnet18_1x1_c256to512_7x7", 256, 7, 512, 1),
      // Fully connected.
      gemm("fc_M1_512to1000", 1, 1000, 512, true), gemm("fc_M64_512to1000", 64, 1000, 512, true),
      gemm("fc_M1_4096to4096", 1, 4096, 4096, true), gemm("fc_M64_4096to4096", 64, 4096, 4096, true),
      // Square GEMM.
      gemm("square_1024", 1024, 1024, 1024, false), gemm("square_2048", 2048, 2048, 2048, false),
      gemm("square_4096", 4096, 4096, 4096, false),
  };
}

double clockHz() { return kernels::measuredCpuHz(); }
int benchThreads() { return gThreads; }
void setBenchThreads(int n) { gThreads = n < 1 ? 1 : n; }

}  // namespace ternlab::bench
