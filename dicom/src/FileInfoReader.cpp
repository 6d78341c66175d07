// Reads the header of one DICOM file into DicomFileInfo, without loading pixel data.

#include "DcmtkSupport.h"

#include "beamlet/core/Error.h"
#include "beamlet/dicom/DicomScanner.h"

#include <array>
#include <cmath>
#include <cstring>
#include <fstream>

namespace beamlet::dicom {

using detail::firstItem;
using detail::getDoubles;
using detail::getLong;
using detail::getString;

namespace {

// Elements longer than this are not read into memory during a scan (pixel data, big blobs).
constexpr Uint32 kScanMaxReadLength = 4096;

// A file is DICOM if it has the Part 10 'DICM' marker at byte 128, or (old ACR-NEMA style files
// without a preamble) starts with a group 0002 or 0008 element in either byte order. Checking this
// first keeps DCMTK from "parsing" arbitrary files as an implicit-VR dataset.
void checkLooksLikeDicom(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw IoError(withContext(path, "cannot be opened"));
  }
  std::array<unsigned char, 132> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const auto got = static_cast<std::size_t>(in.gcount());
  if (got == 0) {
    throw DataError(withContext(path, "empty file, not DICOM"));
  }
  if (got >= 132 && std::memcmp(head.data() + 128, "DICM", 4) == 0) {
    return;
  }
  if (got >= 8) {
    const unsigned groupLE = head[0] | (head[1] << 8);
    const unsigned groupBE = (head[0] << 8) | head[1];
    if (groupLE == 0x0002 || groupLE == 0x0008 || groupBE == 0x0002 || groupBE == 0x0008) {
      return;
    }
  }
  throw DataError(withContext(path, "not a DICOM file (no 'DICM' marker and no DICOM header)"));
}

FrameInfo readFrameInfo(DcmItem* item) {
  FrameInfo f;
  double v[6];
  if (getDoubles(item, DCM_ImagePositionPatient, v, 3)) {
    f.position = Vec3(v[0], v[1], v[2]);
  }
  if (getDoubles(item, DCM_ImageOrientationPatient, v, 6)) {
    f.rowDir = Vec3(v[0], v[1], v[2]);
    f.columnDir = Vec3(v[3], v[4], v[5]);
  }
  if (getDoubles(item, DCM_PixelSpacing, v, 2)) {
    f.spacingJ = v[0];
    f.spacingI = v[1];
  }
  if (getDoubles(item, DCM_RescaleSlope, v, 1)) {
    f.rescaleSlope = v[0];
  }
  if (getDoubles(item, DCM_RescaleIntercept, v, 1)) {
    f.rescaleIntercept = v[0];
  }
  return f;
}

// Enhanced multi-frame objects (CT, MR, PET, ...) keep geometry per frame in functional groups
// (PS3.3 C.7.6.16): a macro is in the frame's item of the Per-Frame sequence or, when common to all
// frames, in the Shared sequence.
std::vector<FrameInfo> readEnhancedFrames(DcmDataset* ds, int numberOfFrames) {
  DcmItem* shared = firstItem(ds, DCM_SharedFunctionalGroupsSequence);
  DcmSequenceOfItems* perFrame = nullptr;
  ds->findAndGetSequence(DCM_PerFrameFunctionalGroupsSequence, perFrame);
  std::vector<FrameInfo> frames(static_cast<std::size_t>(numberOfFrames));
  for (int n = 0; n < numberOfFrames; ++n) {
    DcmItem* own = nullptr;
    if (perFrame != nullptr && static_cast<unsigned long>(n) < perFrame->card()) {
      own = perFrame->getItem(static_cast<unsigned long>(n));
    }
    auto macro = [&](const DcmTagKey& seq) -> DcmItem* {
      if (DcmItem* it = firstItem(own, seq)) {
        return it;
      }
      return firstItem(shared, seq);
    };
    FrameInfo& f = frames[static_cast<std::size_t>(n)];
    double v[6];
    if (getDoubles(macro(DCM_PlanePositionSequence), DCM_ImagePositionPatient, v, 3)) {
      f.position = Vec3(v[0], v[1], v[2]);
    }
    if (getDoubles(macro(DCM_PlaneOrientationSequence), DCM_ImageOrientationPatient, v, 6)) {
      f.rowDir = Vec3(v[0], v[1], v[2]);
      f.columnDir = Vec3(v[3], v[4], v[5]);
    }
    if (getDoubles(macro(DCM_PixelMeasuresSequence), DCM_PixelSpacing, v, 2)) {
      f.spacingJ = v[0];
      f.spacingI = v[1];
    }
    DcmItem* transform = macro(DCM_PixelValueTransformationSequence);
    if (getDoubles(transform, DCM_RescaleSlope, v, 1)) {
      f.rescaleSlope = v[0];
    }
    if (getDoubles(transform, DCM_RescaleIntercept, v, 1)) {
      f.rescaleIntercept = v[0];
    }
    DcmItem* content = macro(DCM_FrameContentSequence);
    f.stackId = getString(content, DCM_StackID);
    f.temporalPosition = getLong(content, DCM_TemporalPositionIndex, -1);
  }
  return frames;
}

// RTDOSE frames lie at GridFrameOffsetVector along the slice normal (PS3.3 C.8.8.3.2): offsets
// relative to ImagePositionPatient when the first is 0, otherwise absolute positions along the
// normal (allowed for axial grids only, where they are z coordinates). Returns false when there is
// no usable offset vector.
bool placeDoseFrames(DcmDataset* ds, const std::string& path, std::vector<FrameInfo>& frames) {
  if (!ds->tagExists(DCM_GridFrameOffsetVector)) {
    return false;
  }
  std::vector<double> offsets(frames.size());
  if (!getDoubles(ds, DCM_GridFrameOffsetVector, offsets.data(), offsets.size())) {
    throw DataError(withContext(path, "GridFrameOffsetVector has fewer values than frames"));
  }
  const FrameInfo& first = frames.front();
  if (!first.position || !first.rowDir || !first.columnDir) {
    return false;
  }
  const Vec3 normal = first.rowDir->cross(*first.columnDir).normalized();
  const bool relative = offsets.front() == 0.0;
  if (!relative && std::abs(std::abs(normal.z()) - 1.0) > 1e-6) {
    throw DataError(withContext(path, "absolute GridFrameOffsetVector on a non-axial dose grid"));
  }
  for (std::size_t n = 0; n < frames.size(); ++n) {
    const double along = relative ? offsets[n] : (offsets[n] - first.position->z()) / normal.z();
    frames[n].position = *first.position + along * normal;
  }
  return true;
}

void collectStrings(DcmItem* item, const DcmTagKey& seqTag, const DcmTagKey& valueTag,
                    std::vector<std::string>& out) {
  DcmSequenceOfItems* seq = nullptr;
  if (item == nullptr || item->findAndGetSequence(seqTag, seq).bad() || seq == nullptr) {
    return;
  }
  for (unsigned long n = 0; n < seq->card(); ++n) {
    const std::string v = getString(seq->getItem(n), valueTag);
    if (!v.empty()) {
      out.push_back(v);
    }
  }
}

unsigned long sequenceLength(DcmItem* item, const DcmTagKey& seqTag) {
  DcmSequenceOfItems* seq = nullptr;
  if (item == nullptr || item->findAndGetSequence(seqTag, seq).bad() || seq == nullptr) {
    return 0;
  }
  return seq->card();
}

void readRtReferences(DcmDataset* ds, DicomFileInfo& info) {
  // RTSTRUCT: frame of reference -> study -> series the contours were drawn on (PS3.3 C.8.8.5).
  DcmSequenceOfItems* forSeq = nullptr;
  if (ds->findAndGetSequence(DCM_ReferencedFrameOfReferenceSequence, forSeq).good() && forSeq) {
    for (unsigned long f = 0; f < forSeq->card(); ++f) {
      DcmItem* forItem = forSeq->getItem(f);
      const std::string forUid = getString(forItem, DCM_FrameOfReferenceUID);
      if (!forUid.empty()) {
        info.referencedFrameOfReferenceUids.push_back(forUid);
      }
      DcmSequenceOfItems* studies = nullptr;
      if (forItem->findAndGetSequence(DCM_RTReferencedStudySequence, studies).good() && studies) {
        for (unsigned long s = 0; s < studies->card(); ++s) {
          collectStrings(studies->getItem(s), DCM_RTReferencedSeriesSequence, DCM_SeriesInstanceUID,
                         info.referencedSeriesUids);
        }
      }
    }
  }
  collectStrings(ds, DCM_ReferencedStructureSetSequence, DCM_ReferencedSOPInstanceUID,
                 info.referencedStructureSetUids);
  collectStrings(ds, DCM_ReferencedRTPlanSequence, DCM_ReferencedSOPInstanceUID,
                 info.referencedPlanUids);
  if (info.modality == "RTSTRUCT") {
    info.rtLabel = getString(ds, DCM_StructureSetLabel);
    info.rtItemCount = static_cast<int>(sequenceLength(ds, DCM_StructureSetROISequence));
  } else if (info.modality == "RTPLAN") {
    info.rtLabel = getString(ds, DCM_RTPlanLabel);
    info.rtItemCount = static_cast<int>(sequenceLength(ds, DCM_BeamSequence) +
                                        sequenceLength(ds, DCM_IonBeamSequence));
  } else if (info.modality == "RTDOSE") {
    info.doseUnits = getString(ds, DCM_DoseUnits);
    info.doseType = getString(ds, DCM_DoseType);
    info.doseSummationType = getString(ds, DCM_DoseSummationType);
    info.rtLabel = info.doseSummationType;
    info.rtItemCount = info.numberOfFrames;
  }
}

} // namespace

DicomFileInfo readFileInfo(const std::string& path) {
  detail::initDcmtk();
  checkLooksLikeDicom(path);

  DcmFileFormat file;
  const OFCondition status =
      file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, kScanMaxReadLength, ERM_autoDetect);
  DcmDataset* ds = file.getDataset();
  std::string readProblem;
  if (status.bad()) {
    // A file cut short keeps what was read before the end; if that identifies an image it is
    // listed in its series (and refused on loading), so the user sees which series is damaged.
    const bool truncated = status == EC_StreamNotifyClient || status == EC_ItemEnd ||
                           std::string(status.text()).find("premature end") != std::string::npos;
    if (!truncated || getString(ds, DCM_SeriesInstanceUID).empty() ||
        getString(ds, DCM_SOPInstanceUID).empty()) {
      throw DataError(withContext(
          path, std::string(truncated ? "truncated file (" : "cannot be parsed as DICOM (") +
                    status.text() + ")"));
    }
    readProblem = std::string("truncated file (") + status.text() + ")";
  }
  DcmMetaInfo* meta = file.getMetaInfo();

  DicomFileInfo info;
  info.path = path;
  info.readProblem = readProblem;
  info.sopClassUid = getString(ds, DCM_SOPClassUID);
  if (info.sopClassUid.empty()) {
    info.sopClassUid = getString(meta, DCM_MediaStorageSOPClassUID);
  }
  info.sopInstanceUid = getString(ds, DCM_SOPInstanceUID);
  info.transferSyntaxUid = getString(meta, DCM_TransferSyntaxUID);
  if (info.transferSyntaxUid.empty()) {
    info.transferSyntaxUid = DcmXfer(ds->getOriginalXfer()).getXferID();
  }
  if (info.sopClassUid == UID_MediaStorageDirectoryStorage) {
    throw DataError(withContext(path, "DICOMDIR (a media index; the scan finds the files itself)"));
  }
  if (ds->card() == 0) {
    throw DataError(withContext(path, "no DICOM data set in the file"));
  }

  info.modality = getString(ds, DCM_Modality);
  info.patientId = getString(ds, DCM_PatientID);
  info.patientName = getString(ds, DCM_PatientName);
  info.studyInstanceUid = getString(ds, DCM_StudyInstanceUID);
  info.studyDate = getString(ds, DCM_StudyDate);
  info.studyDescription = getString(ds, DCM_StudyDescription);
  info.seriesInstanceUid = getString(ds, DCM_SeriesInstanceUID);
  info.seriesDescription = getString(ds, DCM_SeriesDescription);
  info.frameOfReferenceUid = getString(ds, DCM_FrameOfReferenceUID);
  info.seriesNumber = getLong(ds, DCM_SeriesNumber, -1);
  info.instanceNumber = getLong(ds, DCM_InstanceNumber, -1);
  info.rescaleType = getString(ds, DCM_RescaleType);
  double thickness = 0.0;
  if (getDoubles(ds, DCM_SliceThickness, &thickness, 1) && thickness > 0.0) {
    info.sliceThickness = thickness;
  }

  info.hasPixelData = ds->tagExists(DCM_PixelData) || ds->tagExists(DCM_FloatPixelData) ||
                      ds->tagExists(DCM_DoubleFloatPixelData);
  info.rows = static_cast<int>(getLong(ds, DCM_Rows, 0));
  info.columns = static_cast<int>(getLong(ds, DCM_Columns, 0));
  info.numberOfFrames = static_cast<int>(std::max(1L, getLong(ds, DCM_NumberOfFrames, 1)));
  info.samplesPerPixel = static_cast<int>(getLong(ds, DCM_SamplesPerPixel, 1));
  info.bitsAllocated = static_cast<int>(getLong(ds, DCM_BitsAllocated, 0));
  info.bitsStored = static_cast<int>(getLong(ds, DCM_BitsStored, info.bitsAllocated));
  info.highBit = static_cast<int>(getLong(ds, DCM_HighBit, info.bitsStored - 1));
  info.pixelRepresentation = static_cast<int>(getLong(ds, DCM_PixelRepresentation, 0));
  info.photometricInterpretation = getString(ds, DCM_PhotometricInterpretation);

  if (info.hasPixelData && info.rows > 0 && info.columns > 0) {
    info.isEnhancedMultiFrame = ds->tagExists(DCM_PerFrameFunctionalGroupsSequence) ||
                                ds->tagExists(DCM_SharedFunctionalGroupsSequence);
    if (info.isEnhancedMultiFrame) {
      info.frames = readEnhancedFrames(ds, info.numberOfFrames);
      info.framesPlaced = true;
    } else {
      info.frames.assign(static_cast<std::size_t>(info.numberOfFrames), readFrameInfo(ds));
      info.framesPlaced = info.numberOfFrames == 1 || placeDoseFrames(ds, path, info.frames);
    }
    if (info.modality == "RTDOSE") {
      // Dose = stored value x DoseGridScaling (RTDOSE has no rescale slope; PS3.3 C.8.8.3).
      double scaling = 1.0;
      getDoubles(ds, DCM_DoseGridScaling, &scaling, 1);
      for (FrameInfo& f : info.frames) {
        f.rescaleSlope = scaling;
        f.rescaleIntercept = 0.0;
      }
    }
  }
  readRtReferences(ds, info);
  return info;
}

} // namespace beamlet::dicom
