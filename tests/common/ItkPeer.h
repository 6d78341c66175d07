#pragma once
// One DICOM image file read by ITK's GDCM reader: a peer implementation to check Beamlet's own
// reading against (origin, axes, spacing and rescaled values). Tests using it link ITK.

#include "beamlet/core/ImageGeometry.h"

#include <itkGDCMImageIO.h>
#include <itkImage.h>
#include <itkImageFileReader.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace beamlet::test {

struct ItkSlice {
  Vec3 origin;
  Vec3 row;
  Vec3 column;
  double spacingI = 1.0;
  double spacingJ = 1.0;
  int columns = 0;
  int rows = 0;
  std::vector<float> values; ///< every pixel of every frame, i fastest

  /// Bilinear value at continuous pixel coordinates (u along rows, v down columns), frame 0.
  double sample(double u, double v) const {
    const int u0 = static_cast<int>(std::floor(u));
    const int v0 = static_cast<int>(std::floor(v));
    const int u1 = std::min(u0 + 1, columns - 1);
    const int v1 = std::min(v0 + 1, rows - 1);
    const double fu = u - u0;
    const double fv = v - v0;
    auto at = [&](int a, int b) {
      return static_cast<double>(values[static_cast<std::size_t>(b) * columns + a]);
    };
    return (1 - fv) * ((1 - fu) * at(u0, v0) + fu * at(u1, v0)) +
           fv * ((1 - fu) * at(u0, v1) + fu * at(u1, v1));
  }
};

/// Throws itk::ExceptionObject when ITK cannot read the file.
inline ItkSlice readWithItk(const std::string& file) {
  using ImageType = itk::Image<float, 3>;
  auto reader = itk::ImageFileReader<ImageType>::New();
  reader->SetImageIO(itk::GDCMImageIO::New());
  reader->SetFileName(file);
  reader->Update();
  ImageType::Pointer im = reader->GetOutput();
  ItkSlice s;
  for (int d = 0; d < 3; ++d) {
    s.origin[d] = im->GetOrigin()[d];
    s.row[d] = im->GetDirection()[d][0];
    s.column[d] = im->GetDirection()[d][1];
  }
  s.spacingI = im->GetSpacing()[0];
  s.spacingJ = im->GetSpacing()[1];
  s.columns = static_cast<int>(im->GetLargestPossibleRegion().GetSize()[0]);
  s.rows = static_cast<int>(im->GetLargestPossibleRegion().GetSize()[1]);
  const auto count = im->GetLargestPossibleRegion().GetNumberOfPixels();
  s.values.assign(im->GetBufferPointer(), im->GetBufferPointer() + count);
  return s;
}

} // namespace beamlet::test
