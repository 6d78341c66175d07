#include "beamlet/dicom/VolumeFile.h"

#include "ItkView.h"

#include "beamlet/core/Error.h"

#include <itkImageFileReader.h>
#include <itkImageFileWriter.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <random>

namespace fs = std::filesystem;

namespace beamlet::dicom {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Explicit IO objects instead of ITK's factory registration: the set of formats is part of
// Beamlet's documented interface, not of how ITK happened to be built.
itk::ImageIOBase::Pointer ioFor(const std::string& path) {
  const std::string p = lower(path);
  if (endsWith(p, ".nii") || endsWith(p, ".nii.gz")) {
    return itk::NiftiImageIO::New().GetPointer();
  }
  if (endsWith(p, ".nrrd") || endsWith(p, ".nhdr")) {
    return itk::NrrdImageIO::New().GetPointer();
  }
  if (endsWith(p, ".mha") || endsWith(p, ".mhd")) {
    return itk::MetaImageIO::New().GetPointer();
  }
  return nullptr;
}

// The extension ITK needs to see, kept on the temporary name.
std::string extensionOf(const std::string& path) {
  const std::string p = lower(path);
  for (const char* ext : {".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd"}) {
    if (endsWith(p, ext)) {
      return path.substr(path.size() - std::string(ext).size());
    }
  }
  return {};
}

template <typename T> void writeTyped(const Volume<T>& volume, const std::string& path) {
  auto writer = itk::ImageFileWriter<itk::Image<T, 3>>::New();
  writer->SetImageIO(ioFor(path));
  writer->SetFileName(path);
  writer->SetInput(detail::itkView(volume));
  writer->UseCompressionOn();
  writer->Update();
}

template <typename T> Image readTyped(const std::string& path, itk::ImageIOBase::Pointer io) {
  using ImageType = itk::Image<T, 3>;
  auto reader = itk::ImageFileReader<ImageType>::New();
  reader->SetImageIO(io);
  reader->SetFileName(path);
  reader->Update();
  typename ImageType::Pointer itkImage = reader->GetOutput();
  const ImageGeometry g = detail::geometryOf(itkImage);
  const T* buffer = itkImage->GetBufferPointer();
  return Image(Volume<T>(g, std::vector<T>(buffer, buffer + g.voxelCount())));
}

} // namespace

bool isVolumeFileName(const std::string& path) {
  return ioFor(path) != nullptr;
}

void writeVolumeFile(const Image& image, const std::string& path) {
  if (!isVolumeFileName(path)) {
    throw InvalidArgumentError(withContext(path, "unknown volume file type (use .nii.gz, .nii, "
                                                 ".nrrd, .mha or .mhd)"));
  }
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path() && !fs::is_directory(target.parent_path(), ec)) {
    throw IoError(withContext(path, "output folder does not exist"));
  }
  // Write next to the target under a temporary name, then rename: never a half-written file.
  std::random_device rd;
  const std::string tmp = (target.parent_path() / ("." + target.filename().string() + ".tmp" +
                                                   std::to_string(rd() % 1000000)))
                              .string() +
                          extensionOf(path);
  try {
    std::visit([&](const auto& v) { writeTyped(v, tmp); }, image.voxels());
  } catch (const itk::ExceptionObject& e) {
    fs::remove(tmp, ec);
    throw IoError(withContext(path, std::string("cannot write: ") + e.GetDescription()));
  }
  if (lower(extensionOf(path)) == ".mhd" || lower(extensionOf(path)) == ".nhdr") {
    // Detached-header formats write a second data file that references the header's name: write
    // them directly instead (their data file is complete before the header is written).
    fs::remove(tmp, ec);
    std::visit([&](const auto& v) { writeTyped(v, path); }, image.voxels());
    return;
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw IoError(withContext(path, "cannot rename the written file into place"));
  }
}

Image readVolumeFile(const std::string& path) {
  itk::ImageIOBase::Pointer io = ioFor(path);
  if (!io) {
    throw InvalidArgumentError(withContext(path, "unknown volume file type"));
  }
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw IoError(withContext(path, "no such file"));
  }
  try {
    io->SetFileName(path);
    io->ReadImageInformation();
    if (io->GetNumberOfDimensions() > 3 && io->GetDimensions(3) > 1) {
      throw UnsupportedError(withContext(path, "4-D volume: Beamlet reads 3-D volumes"));
    }
    if (io->GetNumberOfComponents() != 1) {
      throw UnsupportedError(withContext(path, "multi-component (colour/vector) volume"));
    }
    switch (io->GetComponentType()) {
    case itk::IOComponentEnum::SHORT:
      return readTyped<std::int16_t>(path, io);
    case itk::IOComponentEnum::UCHAR:
      return readTyped<std::uint8_t>(path, io);
    default:
      return readTyped<float>(path, io);
    }
  } catch (const itk::ExceptionObject& e) {
    throw DataError(withContext(path, std::string("cannot read: ") + e.GetDescription()));
  }
}

} // namespace beamlet::dicom
