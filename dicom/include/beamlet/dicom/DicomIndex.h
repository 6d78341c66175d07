#pragma once
// What a folder scan found: patients -> studies -> series of images, the RT objects (RTSTRUCT,
// RTPLAN, RTDOSE) with what they reference, and the files that were skipped with the reason.
// Plain data: no DCMTK types, so the app, the GUI and tests can use it freely.

#include "beamlet/core/ImageGeometry.h"

#include <optional>
#include <string>
#include <vector>

namespace beamlet::dicom {

/// Geometry and value transform of one frame (one classic image, or one frame of a multi-frame
/// one).
struct FrameInfo {
  std::optional<Vec3> position;   ///< ImagePositionPatient, LPS mm (centre of the first pixel)
  std::optional<Vec3> rowDir;     ///< ImageOrientationPatient[0..2]: direction along a row (i)
  std::optional<Vec3> columnDir;  ///< ImageOrientationPatient[3..5]: direction down a column (j)
  std::optional<double> spacingI; ///< mm between columns (PixelSpacing[1])
  std::optional<double> spacingJ; ///< mm between rows (PixelSpacing[0])
  double rescaleSlope = 1.0;
  double rescaleIntercept = 0.0;
  std::string stackId;        ///< enhanced multi-frame: FrameContent StackID
  long temporalPosition = -1; ///< enhanced multi-frame: TemporalPositionIndex (-1 if absent)
};

/// The header of one DICOM file, read without its pixel data.
struct DicomFileInfo {
  std::string path; ///< absolute path
  std::string sopClassUid;
  std::string sopInstanceUid;
  std::string transferSyntaxUid;
  std::string modality;
  std::string patientId;
  std::string patientName;
  std::string studyInstanceUid;
  std::string studyDate;
  std::string studyDescription;
  std::string seriesInstanceUid;
  std::string seriesDescription;
  std::string frameOfReferenceUid;
  std::string rescaleType; ///< RescaleType, e.g. "HU" or "US"
  long seriesNumber = -1;
  long instanceNumber = -1;
  double sliceThickness = 0.0; ///< SliceThickness in mm (0 when absent)

  int rows = 0;
  int columns = 0;
  int numberOfFrames = 1;
  int samplesPerPixel = 1;
  int bitsAllocated = 0;
  int bitsStored = 0;
  int highBit = 0;
  int pixelRepresentation = 0; ///< 0 unsigned, 1 two's complement
  std::string photometricInterpretation;
  bool hasPixelData = false;
  /// Set when the header could be read but the file ends early (truncated): listed in its series,
  /// refused on loading with this reason.
  std::string readProblem;
  bool isEnhancedMultiFrame = false;
  /// Each frame has its own position: enhanced multi-frame, or an RTDOSE whose
  /// GridFrameOffsetVector places the frames (PS3.3 C.8.8.3.2).
  bool framesPlaced = false;
  std::string doseUnits;         ///< RTDOSE DoseUnits: GY or RELATIVE
  std::string doseType;          ///< RTDOSE DoseType: PHYSICAL, EFFECTIVE, ERROR
  std::string doseSummationType; ///< RTDOSE DoseSummationType: PLAN, BEAM, FRACTION, ...
  std::vector<FrameInfo> frames; ///< one per frame; empty when the file has no image

  /// RT references (empty for images).
  std::vector<std::string> referencedFrameOfReferenceUids;
  std::vector<std::string> referencedSeriesUids;
  std::vector<std::string> referencedStructureSetUids;
  std::vector<std::string> referencedPlanUids;
  std::string rtLabel; ///< StructureSetLabel / RTPlanLabel / DoseSummationType
  int rtItemCount = 0; ///< ROIs in an RTSTRUCT, beams in an RTPLAN, frames in an RTDOSE
};

enum class RtKind { Structures, Plan, Dose };
const char* rtKindName(RtKind kind); ///< "RTSTRUCT", "RTPLAN", "RTDOSE"

/// One RT object and what it references.
struct RtObjectEntry {
  RtKind kind = RtKind::Structures;
  DicomFileInfo file;
};

/// One series of images (a SeriesInstanceUID). Files are in scan order; loading sorts them.
struct SeriesEntry {
  /// How to name this series (CLI --series, GUI): the SeriesInstanceUID, or for files whose
  /// SeriesInstanceUID is empty (over-zealous anonymisation) "nouid-N", grouping such files by
  /// folder, frame of reference, modality and image size.
  std::string id;
  std::string seriesInstanceUid;
  std::string modality;
  std::string description;
  long seriesNumber = -1;
  std::string frameOfReferenceUid;
  std::vector<DicomFileInfo> files;

  int frameCount() const;
  /// Columns x rows of the first image (0 if none).
  int columns() const;
  int rows() const;
  /// Pixel spacing (i, j) of the first frame and the median distance between slice positions along
  /// the slice normal; nullopt where the headers do not say.
  std::optional<Vec3> spacing() const;
};

struct StudyEntry {
  std::string studyInstanceUid;
  std::string studyDate;
  std::string description;
  std::vector<SeriesEntry> series;
};

struct PatientEntry {
  std::string patientId;
  std::string patientName;
  std::vector<StudyEntry> studies;
};

struct SkippedFile {
  std::string path;
  std::string reason;
};

struct DicomIndex {
  std::string root;
  std::size_t filesExamined = 0;
  std::vector<PatientEntry> patients;
  std::vector<RtObjectEntry> rtObjects;
  std::vector<SkippedFile> skipped;

  /// The series with this id (its SeriesInstanceUID, or "nouid-N"), or nullptr.
  const SeriesEntry* findSeries(const std::string& id) const;
  /// Every image series, in patient/study/series order.
  std::vector<const SeriesEntry*> allSeries() const;
};

} // namespace beamlet::dicom
