#include "beamlet/dicom/CtSeriesWriter.h"

#include "DicomWriting.h"

#include "beamlet/core/Error.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

namespace fs = std::filesystem;

namespace beamlet::dicom {

namespace {

constexpr double kInt16Min = std::numeric_limits<Sint16>::min();
constexpr double kInt16Max = std::numeric_limits<Sint16>::max();

// The RescaleIntercept (whole HU) that brings every rounded value into int16: 0 when they fit,
// else the middle of their range.
double interceptFor(const Image& ct, const std::string& folder) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  const std::size_t count = ct.geometry().voxelCount();
  for (std::size_t n = 0; n < count; ++n) {
    const double v = ct.valueAt(n);
    if (!std::isfinite(v)) {
      throw InvalidArgumentError(withContext(folder, "the CT holds non-finite values"));
    }
    lo = std::min(lo, std::round(v));
    hi = std::max(hi, std::round(v));
  }
  if (lo >= kInt16Min && hi <= kInt16Max) {
    return 0.0;
  }
  if (hi - lo > kInt16Max - kInt16Min) {
    throw InvalidArgumentError(
        withContext(folder, "CT values span more than 65535 HU and cannot be stored in 16 bits"));
  }
  return std::floor((lo + hi + 1.0) / 2.0);
}

// DS with no negative zero ("-0" is valid but reads as a mistake).
std::string decimal(double value) {
  return detail::ds(value + 0.0);
}

std::string triple(const Vec3& v) {
  return decimal(v.x()) + "\\" + decimal(v.y()) + "\\" + decimal(v.z());
}

std::string fileName(int k, int slices) {
  const int digits = std::max(4, static_cast<int>(std::to_string(slices).size()));
  std::string number = std::to_string(k + 1);
  number.insert(0, static_cast<std::size_t>(digits) - number.size(), '0');
  return "CT" + number + ".dcm";
}

void putUint16(DcmItem* item, const DcmTagKey& tag, int value) {
  if (item->putAndInsertUint16(tag, static_cast<Uint16>(value)).bad()) {
    throw IoError("cannot set DICOM attribute " + std::string(DcmTag(tag).getTagName()));
  }
}

} // namespace

std::vector<std::string> writeCtSeries(const Image& ct, const std::string& folder,
                                       const StudyContext& study, ProgressMonitor* progress) {
  detail::initDcmtk();
  using detail::put;
  const ImageGeometry& g = ct.geometry();
  if (g.voxelCount() == 0) {
    throw InvalidArgumentError(withContext(folder, "the CT image is empty"));
  }
  if (!ct.modality.empty() && ct.modality != "CT") {
    throw InvalidArgumentError(
        withContext(folder, "a " + ct.modality + " image cannot be written as a CT series"));
  }
  std::string why;
  if (!g.isValid(&why)) {
    throw InvalidArgumentError(withContext(folder, "invalid image grid: " + why));
  }
  if (g.dims[0] > 65535 || g.dims[1] > 65535) {
    throw InvalidArgumentError(
        withContext(folder, "slices of more than 65535 rows or columns cannot be written"));
  }
  const double intercept = interceptFor(ct, folder);

  std::error_code ec;
  fs::create_directories(folder, ec);
  if (!fs::is_directory(folder, ec)) {
    throw IoError(withContext(folder, "cannot create the output folder"));
  }

  // One study, frame of reference and series for every file.
  StudyContext context = study;
  if (context.studyInstanceUid.empty()) {
    context.studyInstanceUid = newUid();
  }
  if (context.frameOfReferenceUid.empty()) {
    context.frameOfReferenceUid = newUid();
  }
  // Values longer than their VR allows (seen: a 17-character Study ID copied from another file)
  // are cut to size, as the RT writers do.
  context.studyId = context.studyId.substr(0, 16);
  context.accessionNumber = context.accessionNumber.substr(0, 16);
  const std::string seriesUid = newUid();
  const std::string position = context.patientPosition.empty() ? "HFS" : context.patientPosition;
  const std::string description =
      (ct.description.empty() ? std::string("Beamlet CT") : ct.description).substr(0, 64);

  const Vec3 row = g.direction.col(0);
  const Vec3 column = g.direction.col(1);
  const Vec3 normal = row.cross(column);
  const std::string orientation = triple(row) + "\\" + triple(column);
  const std::string pixelSpacing = decimal(g.spacing.y()) + "\\" + decimal(g.spacing.x());

  const std::size_t perSlice = static_cast<std::size_t>(g.dims[0]) * g.dims[1];
  std::vector<Sint16> pixels(perSlice);
  std::vector<std::string> paths;
  paths.reserve(static_cast<std::size_t>(g.dims[2]));
  ProgressScope scope(progress, 0.0, 1.0, "writing the CT series");
  for (int k = 0; k < g.dims[2]; ++k) {
    scope.throwIfCancelled();
    const std::size_t first = g.linearIndex(0, 0, k);
    for (std::size_t n = 0; n < perSlice; ++n) {
      const double stored = std::round(ct.valueAt(first + n)) - intercept;
      pixels[n] = static_cast<Sint16>(std::clamp(stored, kInt16Min, kInt16Max));
    }
    const detail::LocalDateTime stamp = detail::now();
    const Vec3 corner = g.indexToPatient(Vec3(0, 0, k));

    DcmFileFormat file;
    DcmDataset* dataset = file.getDataset();
    detail::putCommonModules(dataset, context, UID_CTImageStorage, "CT", description, seriesUid);
    // General series: PatientPosition is required for CT without a Patient Orientation Code
    // Sequence; Laterality (type 2C, for paired body parts) is present and empty: unknown here.
    put(dataset, DCM_PatientPosition, position);
    put(dataset, DCM_Laterality, "");
    // Frame of Reference module.
    put(dataset, DCM_FrameOfReferenceUID, context.frameOfReferenceUid);
    put(dataset, DCM_PositionReferenceIndicator, context.positionReferenceIndicator);
    // General image and CT image modules.
    put(dataset, DCM_ImageType, "DERIVED\\SECONDARY\\AXIAL");
    put(dataset, DCM_InstanceNumber, std::to_string(k + 1));
    put(dataset, DCM_ContentDate, stamp.date);
    put(dataset, DCM_ContentTime, stamp.time);
    put(dataset, DCM_KVP, "");
    put(dataset, DCM_AcquisitionNumber, "");
    put(dataset, DCM_RescaleIntercept, decimal(intercept));
    put(dataset, DCM_RescaleSlope, "1");
    put(dataset, DCM_RescaleType, "HU");
    // Image plane module.
    put(dataset, DCM_ImagePositionPatient, triple(corner));
    put(dataset, DCM_ImageOrientationPatient, orientation);
    put(dataset, DCM_PixelSpacing, pixelSpacing);
    put(dataset, DCM_SliceThickness, decimal(g.spacing.z()));
    put(dataset, DCM_SliceLocation, decimal(normal.dot(corner)));
    // Image pixel module.
    putUint16(dataset, DCM_SamplesPerPixel, 1);
    put(dataset, DCM_PhotometricInterpretation, "MONOCHROME2");
    putUint16(dataset, DCM_Rows, g.dims[1]);
    putUint16(dataset, DCM_Columns, g.dims[0]);
    putUint16(dataset, DCM_BitsAllocated, 16);
    putUint16(dataset, DCM_BitsStored, 16);
    putUint16(dataset, DCM_HighBit, 15);
    putUint16(dataset, DCM_PixelRepresentation, 1);
    if (dataset
            ->putAndInsertUint16Array(DCM_PixelData, reinterpret_cast<const Uint16*>(pixels.data()),
                                      static_cast<unsigned long>(pixels.size()))
            .bad()) {
      throw IoError(withContext(folder, "cannot set the pixel data"));
    }
    const std::string path = (fs::path(folder) / fileName(k, g.dims[2])).string();
    detail::saveAtomically(file, path);
    paths.push_back(path);
    scope.step(static_cast<std::size_t>(k) + 1, static_cast<std::size_t>(g.dims[2]));
  }
  return paths;
}

} // namespace beamlet::dicom
