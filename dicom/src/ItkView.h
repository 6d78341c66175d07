#pragma once
// Zero-copy views of Beamlet volumes as ITK images (private to the libraries that use ITK).

#include "beamlet/core/Volume.h"

#include <itkImage.h>
#include <itkImportImageContainer.h>

namespace beamlet::dicom::detail {

/// An itk::Image whose buffer is the volume's own memory (not copied, not owned). The volume must
/// outlive the view. Geometry is copied: origin, spacing and direction in LPS like ITK's.
template <typename T> typename itk::Image<T, 3>::Pointer itkView(const Volume<T>& volume) {
  using ImageType = itk::Image<T, 3>;
  auto image = ImageType::New();
  const ImageGeometry& g = volume.geometry();
  typename ImageType::RegionType region;
  typename ImageType::SizeType size;
  for (unsigned d = 0; d < 3; ++d) {
    size[d] = static_cast<itk::SizeValueType>(g.dims[d]);
  }
  region.SetSize(size);
  image->SetRegions(region);
  typename ImageType::PointType origin;
  typename ImageType::SpacingType spacing;
  typename ImageType::DirectionType direction;
  for (unsigned r = 0; r < 3; ++r) {
    origin[r] = g.origin[r];
    spacing[r] = g.spacing[r];
    for (unsigned c = 0; c < 3; ++c) {
      direction[r][c] = g.direction(r, c);
    }
  }
  image->SetOrigin(origin);
  image->SetSpacing(spacing);
  image->SetDirection(direction);
  auto container = itk::ImportImageContainer<itk::SizeValueType, T>::New();
  container->SetImportPointer(const_cast<T*>(volume.data()), volume.size(), false);
  image->SetPixelContainer(container);
  return image;
}

/// The geometry of an ITK image.
template <typename ImagePointer> ImageGeometry geometryOf(const ImagePointer& image) {
  ImageGeometry g;
  const auto size = image->GetLargestPossibleRegion().GetSize();
  for (unsigned d = 0; d < 3; ++d) {
    g.dims[d] = static_cast<int>(size[d]);
    g.origin[d] = image->GetOrigin()[d];
    g.spacing[d] = image->GetSpacing()[d];
    for (unsigned c = 0; c < 3; ++c) {
      g.direction(d, c) = image->GetDirection()[d][c];
    }
  }
  return g;
}

} // namespace beamlet::dicom::detail
