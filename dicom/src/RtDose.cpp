#include "beamlet/dicom/RtDose.h"

#include "DicomWriting.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"
#include "beamlet/dicom/DicomScanner.h"
#include "beamlet/dicom/SeriesLoader.h"
#include "beamlet/dicom/VolumeFile.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace beamlet::dicom {

namespace {

Image asFloatDose(Image image, const DicomFileInfo& info) {
  Image dose(image.toFloat());
  dose.modality = "RTDOSE";
  dose.units = info.doseUnits == "RELATIVE" ? "relative" : "Gy";
  dose.seriesInstanceUid = info.seriesInstanceUid;
  dose.frameOfReferenceUid = info.frameOfReferenceUid;
  dose.description = info.seriesDescription;
  dose.warnings = image.warnings;
  if (info.doseUnits == "RELATIVE") {
    dose.warnings.push_back("DoseUnits RELATIVE: values are not in Gy");
    log::warn(withContext(info.path, dose.warnings.back()));
  }
  return dose;
}

} // namespace

Image readRtDose(const std::string& path) {
  const DicomFileInfo info = readFileInfo(path);
  if (info.modality != "RTDOSE") {
    throw DataError(withContext(path, "not an RTDOSE (Modality '" + info.modality + "')"));
  }
  if (!info.readProblem.empty()) {
    throw DataError(withContext(path, info.readProblem));
  }
  if (info.numberOfFrames == 1) {
    return asFloatDose(loadSlice(path), info);
  }
  if (!info.framesPlaced) {
    throw DataError(withContext(path, "multi-frame RTDOSE without GridFrameOffsetVector"));
  }
  SeriesEntry series;
  series.id = info.seriesInstanceUid;
  series.seriesInstanceUid = info.seriesInstanceUid;
  series.modality = info.modality;
  series.files.push_back(info);
  return asFloatDose(loadSeries(series), info);
}

Image readDose(const std::string& path) {
  if (isVolumeFileName(path)) {
    Image dose(readVolumeFile(path).toFloat());
    dose.modality = "RTDOSE";
    dose.units = "Gy";
    return dose;
  }
  return readRtDose(path);
}

std::string writeRtDose(const Image& dose, const StudyContext& context, const std::string& path,
                        const RtDoseWriteOptions& options) {
  detail::initDcmtk();
  const VolumeF32 values = dose.toFloat();
  ImageGeometry g = values.geometry();
  std::string why;
  if (!g.isValid(&why)) {
    throw InvalidArgumentError(withContext(path, "dose grid: " + why));
  }
  float maxDose = 0.0f;
  for (float v : values.voxels()) {
    if (!std::isfinite(v) || v < 0.0f) {
      throw InvalidArgumentError(withContext(path, "dose has negative or non-finite values"));
    }
    maxDose = std::max(maxDose, v);
  }
  // The k axis must be row x column (DICOM frames stack along the normal); a left-handed grid is
  // written with its frames in reverse order.
  const Vec3 normal = g.direction.col(0).cross(g.direction.col(1));
  const bool reversed = normal.dot(g.direction.col(2)) < 0.0;
  const int nx = g.dims[0];
  const int ny = g.dims[1];
  const int nz = g.dims[2];
  Vec3 firstPosition = g.origin;
  if (reversed) {
    firstPosition = g.indexToPatient(Vec3(0, 0, nz - 1));
  }

  if (options.referencedPlanUid.empty() && options.summationType != "RECORD") {
    // PS3.3 C.8.8.3: the plan reference is required for every summation type but RECORD.
    throw InvalidArgumentError(withContext(path, "an RTDOSE of summation type " +
                                                     options.summationType +
                                                     " must reference its RTPLAN"));
  }
  if (options.bitsAllocated != 16 && options.bitsAllocated != 32) {
    throw InvalidArgumentError(withContext(path, "RTDOSE bits must be 16 or 32"));
  }
  const bool wide = options.bitsAllocated == 32;
  // The maximum maps near the top of the stored range: 2^32 - 1 or 2^16 - 1.
  const double top = wide ? 4.0e9 : 65000.0;
  const double scaling = maxDose > 0.0f ? static_cast<double>(maxDose) / top : 1.0;
  const std::size_t perFrame = static_cast<std::size_t>(nx) * static_cast<std::size_t>(ny);
  std::vector<Uint32> stored32(wide ? values.size() : 0);
  std::vector<Uint16> stored16(wide ? 0 : values.size());
  for (int k = 0; k < nz; ++k) {
    const int source = reversed ? nz - 1 - k : k;
    const float* src = values.slice(source);
    const std::size_t offset = static_cast<std::size_t>(k) * perFrame;
    for (std::size_t n = 0; n < perFrame; ++n) {
      const double q = std::round(static_cast<double>(src[n]) / scaling);
      if (wide) {
        stored32[offset + n] = static_cast<Uint32>(q);
      } else {
        stored16[offset + n] = static_cast<Uint16>(q);
      }
    }
  }

  DcmFileFormat file;
  DcmDataset* dataset = file.getDataset();
  using detail::ds;
  using detail::put;
  const std::string sop = detail::putCommonModules(dataset, context, UID_RTDoseStorage, "RTDOSE",
                                                   options.seriesDescription);
  put(dataset, DCM_FrameOfReferenceUID,
      context.frameOfReferenceUid.empty() ? newUid() : context.frameOfReferenceUid);
  put(dataset, DCM_PositionReferenceIndicator, context.positionReferenceIndicator);
  put(dataset, DCM_InstanceNumber, "1");
  put(dataset, DCM_ImagePositionPatient,
      ds(firstPosition.x()) + "\\" + ds(firstPosition.y()) + "\\" + ds(firstPosition.z()));
  const Vec3 r = g.direction.col(0);
  const Vec3 c = g.direction.col(1);
  put(dataset, DCM_ImageOrientationPatient,
      ds(r.x()) + "\\" + ds(r.y()) + "\\" + ds(r.z()) + "\\" + ds(c.x()) + "\\" + ds(c.y()) + "\\" +
          ds(c.z()));
  put(dataset, DCM_PixelSpacing, ds(g.spacing.y()) + "\\" + ds(g.spacing.x()));
  put(dataset, DCM_SliceThickness, ds(g.spacing.z()));
  put(dataset, DCM_SamplesPerPixel, "1");
  put(dataset, DCM_PhotometricInterpretation, "MONOCHROME2");
  put(dataset, DCM_Rows, std::to_string(ny));
  put(dataset, DCM_Columns, std::to_string(nx));
  put(dataset, DCM_BitsAllocated, std::to_string(options.bitsAllocated));
  put(dataset, DCM_BitsStored, std::to_string(options.bitsAllocated));
  put(dataset, DCM_HighBit, std::to_string(options.bitsAllocated - 1));
  put(dataset, DCM_PixelRepresentation, "0");
  put(dataset, DCM_NumberOfFrames, std::to_string(nz));
  dataset->putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_GridFrameOffsetVector);
  std::string offsets;
  for (int k = 0; k < nz; ++k) {
    offsets += (k == 0 ? "" : "\\") + ds(k * g.spacing.z());
  }
  put(dataset, DCM_GridFrameOffsetVector, offsets);
  put(dataset, DCM_DoseUnits, "GY");
  put(dataset, DCM_DoseType, "PHYSICAL");
  put(dataset, DCM_DoseSummationType, options.summationType);
  put(dataset, DCM_DoseGridScaling, ds(scaling));
  if (!options.referencedPlanUid.empty()) {
    DcmItem* item = nullptr;
    dataset->findOrCreateSequenceItem(DCM_ReferencedRTPlanSequence, item, -2);
    put(item, DCM_ReferencedSOPClassUID, UID_RTPlanStorage);
    put(item, DCM_ReferencedSOPInstanceUID, options.referencedPlanUid);
  }
  // Pixel Data is OW: 32-bit values go in as pairs of little-endian 16-bit words (x86 memory order
  // is already little endian, and DCMTK writes OW words little endian in explicit VR LE).
  static_assert(sizeof(Uint32) == 2 * sizeof(Uint16), "32-bit dose pixels");
  const Uint16* words = wide ? reinterpret_cast<const Uint16*>(stored32.data()) : stored16.data();
  const std::size_t wordCount = wide ? 2 * stored32.size() : stored16.size();
  if (dataset->putAndInsertUint16Array(DCM_PixelData, words, wordCount).bad()) {
    throw IoError(withContext(path, "cannot store the dose pixel data"));
  }
  detail::saveAtomically(file, path);
  return sop;
}

} // namespace beamlet::dicom
