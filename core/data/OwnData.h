#pragma once
// A user's own images: numpy arrays ("npy") or one folder of PNG/JPEG files per class ("image-folder").
// Channels, size and class count come from the data; every zoo model adapts to them (README "Your own data").
#include <string>

#include "data/Dataset.h"

namespace ternlab::data {

// dir holds x_train.npy + y_train.npy and x_test.npy + y_test.npy, or x.npy + y.npy split by
// options.testFraction. x: N x C x H x W (or N x H x W) uint8 (scaled by 1/255) or float32; y: N integer labels
// 0..K-1 (int8/uint8/int32/int64). Throws DataError naming the file and the fault. Not normalised.
DatasetPair loadNpyDataset(const std::string& dir, const OwnDataOptions& options);

// dir holds train/<class>/*.png|jpg and test/<class>/…, or <class>/… split by options.testFraction. Classes are
// the sub-folder names in sorted order; images are decoded by stb_image, converted to options.channels and, with
// options.imageSize, resized (stb_image_resize, aspect ratio not kept). Not normalised.
DatasetPair loadImageFolder(const std::string& dir, const OwnDataOptions& options);

// Splits one set into train and test: a share `testFraction` of it, drawn by a fixed-seed permutation (the
// same split on every machine), is the test split; both keep the set's order otherwise.
DatasetPair splitByFraction(const Dataset& all, double testFraction, const std::string& where);

}  // namespace ternlab::data
