#include "beamlet/dicom/RtStructWriter.h"

#include "DicomWriting.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Tg263.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <set>

namespace fs = std::filesystem;

namespace beamlet::dicom {

namespace {

// Colours that stay apart on a grey CT (Tableau-like palette).
constexpr std::array<std::array<std::uint8_t, 3>, 10> kPalette{{{{31, 119, 180}},
                                                                {{255, 127, 14}},
                                                                {{44, 160, 44}},
                                                                {{214, 39, 40}},
                                                                {{148, 103, 189}},
                                                                {{140, 86, 75}},
                                                                {{227, 119, 194}},
                                                                {{188, 189, 34}},
                                                                {{23, 190, 207}},
                                                                {{255, 215, 0}}}};

// One image plane the contours can reference (a single-frame image or one frame).
struct ImagePlane {
  double position = 0.0; ///< along the slice normal, mm
  std::string sopClassUid;
  std::string sopInstanceUid;
  int frameNumber = 0; ///< 1-based for multi-frame images, 0 for single-frame ones
};

std::vector<ImagePlane> imagePlanes(const SeriesEntry& series, Vec3* normal) {
  const DicomFileInfo& first = series.files.front();
  if (first.frames.empty() || !first.frames[0].rowDir || !first.frames[0].columnDir) {
    throw DataError(withContext(first.path, "image without ImageOrientationPatient"));
  }
  *normal = first.frames[0].rowDir->cross(*first.frames[0].columnDir).normalized();
  std::vector<ImagePlane> planes;
  for (const DicomFileInfo& file : series.files) {
    for (std::size_t f = 0; f < file.frames.size(); ++f) {
      if (!file.frames[f].position) {
        continue;
      }
      ImagePlane plane;
      plane.position = normal->dot(*file.frames[f].position);
      plane.sopClassUid = file.sopClassUid;
      plane.sopInstanceUid = file.sopInstanceUid;
      plane.frameNumber = file.numberOfFrames > 1 ? static_cast<int>(f) + 1 : 0;
      planes.push_back(plane);
    }
  }
  std::sort(planes.begin(), planes.end(),
            [](const ImagePlane& a, const ImagePlane& b) { return a.position < b.position; });
  return planes;
}

// The plane a contour lies on: nearest by position, within a quarter of the slice gap.
const ImagePlane* planeOf(const std::vector<ImagePlane>& planes, const Vec3& normal,
                          const Contour& contour, double tolerance) {
  double sum = 0.0;
  for (const Vec3& p : contour.points) {
    sum += normal.dot(p);
  }
  const double d = sum / static_cast<double>(contour.points.size());
  const auto after = std::lower_bound(planes.begin(), planes.end(), d,
                                      [](const ImagePlane& a, double v) { return a.position < v; });
  const ImagePlane* best = nullptr;
  if (after != planes.end()) {
    best = &*after;
  }
  if (after != planes.begin()) {
    const ImagePlane* before = &*(after - 1);
    if (best == nullptr || d - before->position < best->position - d) {
      best = before;
    }
  }
  return best != nullptr && std::abs(best->position - d) <= tolerance ? best : nullptr;
}

// DS values for Contour Data: 0.0001 mm is far below any voxel and keeps each value short (the
// whole Contour Data must fit a 16-bit length in explicit VR where possible).
std::string coordinate(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", value);
  std::string s(buf);
  while (!s.empty() && s.back() == '0') {
    s.pop_back();
  }
  if (!s.empty() && s.back() == '.') {
    s.pop_back();
  }
  if (s == "-0") {
    s = "0";
  }
  return s;
}

void putImageReference(DcmItem* item, const ImagePlane& plane) {
  detail::put(item, DCM_ReferencedSOPClassUID, plane.sopClassUid);
  detail::put(item, DCM_ReferencedSOPInstanceUID, plane.sopInstanceUid);
  if (plane.frameNumber > 0) {
    detail::put(item, DCM_ReferencedFrameNumber, std::to_string(plane.frameNumber));
  }
}

bool isInputFile(const SeriesEntry& series, const std::string& path) {
  std::error_code ec;
  const fs::path out = fs::weakly_canonical(fs::absolute(path), ec);
  for (const DicomFileInfo& file : series.files) {
    std::error_code ec2;
    if (fs::weakly_canonical(fs::absolute(file.path), ec2) == out) {
      return true;
    }
  }
  return false;
}

} // namespace

Structure structureFromMask(const Mask& mask, int roiNumber, const std::string& name,
                            const MaskContourOptions& options) {
  Structure s;
  s.roiNumber = roiNumber;
  s.name = name;
  s.type = interpretedTypeForName(name);
  s.color = kPalette[static_cast<std::size_t>(std::max(roiNumber - 1, 0)) % kPalette.size()];
  s.contours = maskToContours(mask, options);
  return s;
}

std::string writeRtStruct(const StructureSet& structures, const SeriesEntry& imageSeries,
                          const std::string& path, const std::string& label) {
  detail::initDcmtk();
  using detail::put;
  if (imageSeries.files.empty()) {
    throw InvalidArgumentError(withContext(path, "the image series has no files"));
  }
  if (structures.structures.empty()) {
    throw InvalidArgumentError(withContext(path, "no structures to write"));
  }
  if (isInputFile(imageSeries, path)) {
    throw InvalidArgumentError(
        withContext(path, "is a file of the image series; refusing to overwrite it"));
  }
  const StudyContext context = readStudyContext(imageSeries.files.front().path);
  const std::string frameOfReference = !context.frameOfReferenceUid.empty()
                                           ? context.frameOfReferenceUid
                                           : imageSeries.frameOfReferenceUid;
  if (frameOfReference.empty()) {
    throw DataError(withContext(imageSeries.files.front().path,
                                "image without FrameOfReferenceUID: contours cannot be placed"));
  }
  Vec3 normal;
  const std::vector<ImagePlane> planes = imagePlanes(imageSeries, &normal);
  double gap = 1e300;
  for (std::size_t n = 1; n < planes.size(); ++n) {
    const double step = planes[n].position - planes[n - 1].position;
    if (step > 1e-6) {
      gap = std::min(gap, step);
    }
  }
  const double tolerance = gap < 1e299 ? 0.25 * gap : 0.5;

  // ROI numbers: keep unique positive ones, else renumber all in order.
  std::vector<int> numbers;
  std::set<int> seen;
  bool renumber = false;
  for (const Structure& s : structures.structures) {
    renumber = renumber || s.roiNumber <= 0 || !seen.insert(s.roiNumber).second;
    numbers.push_back(s.roiNumber);
  }
  if (renumber) {
    for (std::size_t n = 0; n < numbers.size(); ++n) {
      numbers[n] = static_cast<int>(n) + 1;
    }
  }

  DcmFileFormat file;
  DcmDataset* dataset = file.getDataset();
  const std::string sop = detail::putCommonModules(dataset, context, UID_RTStructureSetStorage,
                                                   "RTSTRUCT", "Beamlet structures");
  put(dataset, DCM_InstanceNumber, "1");
  // Frame of Reference module: part of the RT Structure Set IOD since CP-1496 (PS3.3 A.19.3).
  put(dataset, DCM_FrameOfReferenceUID, frameOfReference);
  put(dataset, DCM_PositionReferenceIndicator, context.positionReferenceIndicator);
  // Values copied from the image that break their VR's length (seen: a 17-character Study ID)
  // are cut to size: what Beamlet writes must be valid even when its input is not.
  for (const auto& [tag, length] :
       {std::make_pair(DCM_StudyID, 16u), std::make_pair(DCM_AccessionNumber, 16u)}) {
    const std::string value = detail::getString(dataset, tag);
    if (value.size() > length) {
      put(dataset, tag, value.substr(0, length));
    }
  }

  // Structure Set module (C.8.8.5).
  const detail::LocalDateTime stamp = detail::now();
  const std::string& date = stamp.date;
  const std::string& time = stamp.time;
  put(dataset, DCM_StructureSetLabel, (label.empty() ? "Beamlet" : label).substr(0, 16));
  if (!label.empty()) {
    put(dataset, DCM_StructureSetName, label.substr(0, 64));
  }
  put(dataset, DCM_StructureSetDate, date);
  put(dataset, DCM_StructureSetTime, time);
  {
    DcmItem* frame = nullptr;
    dataset->findOrCreateSequenceItem(DCM_ReferencedFrameOfReferenceSequence, frame, -2);
    put(frame, DCM_FrameOfReferenceUID, frameOfReference);
    DcmItem* study = nullptr;
    frame->findOrCreateSequenceItem(DCM_RTReferencedStudySequence, study, -2);
    // C.8.8.5: the study is referenced through the (retired) Detached Study Management SOP Class,
    // as every planning system does.
    put(study, DCM_ReferencedSOPClassUID, UID_RETIRED_DetachedStudyManagementSOPClass);
    put(study, DCM_ReferencedSOPInstanceUID,
        context.studyInstanceUid.empty() ? detail::getString(dataset, DCM_StudyInstanceUID)
                                         : context.studyInstanceUid);
    DcmItem* series = nullptr;
    study->findOrCreateSequenceItem(DCM_RTReferencedSeriesSequence, series, -2);
    put(series, DCM_SeriesInstanceUID, imageSeries.seriesInstanceUid);
    for (const ImagePlane& plane : planes) {
      DcmItem* image = nullptr;
      series->findOrCreateSequenceItem(DCM_ContourImageSequence, image, -2);
      putImageReference(image, plane);
    }
  }
  for (std::size_t n = 0; n < structures.structures.size(); ++n) {
    const Structure& s = structures.structures[n];
    DcmItem* roi = nullptr;
    dataset->findOrCreateSequenceItem(DCM_StructureSetROISequence, roi, -2);
    put(roi, DCM_ROINumber, std::to_string(numbers[n]));
    put(roi, DCM_ReferencedFrameOfReferenceUID, frameOfReference);
    put(roi, DCM_ROIName, s.name.substr(0, 64));
    put(roi, DCM_ROIGenerationAlgorithm, "");
  }

  // ROI Contour module (C.8.8.6).
  bool oversized = false;
  for (std::size_t n = 0; n < structures.structures.size(); ++n) {
    const Structure& s = structures.structures[n];
    DcmItem* roi = nullptr;
    dataset->findOrCreateSequenceItem(DCM_ROIContourSequence, roi, -2);
    put(roi, DCM_ROIDisplayColor,
        std::to_string(s.color[0]) + "\\" + std::to_string(s.color[1]) + "\\" +
            std::to_string(s.color[2]));
    int contourNumber = 0;
    for (const Contour& c : s.contours) {
      if (c.points.size() < 3) {
        continue;
      }
      DcmItem* item = nullptr;
      roi->findOrCreateSequenceItem(DCM_ContourSequence, item, -2);
      put(item, DCM_ContourNumber, std::to_string(++contourNumber));
      if (const ImagePlane* plane = planeOf(planes, normal, c, tolerance)) {
        DcmItem* image = nullptr;
        item->findOrCreateSequenceItem(DCM_ContourImageSequence, image, -2);
        putImageReference(image, *plane);
      }
      put(item, DCM_ContourGeometricType, "CLOSED_PLANAR");
      put(item, DCM_NumberOfContourPoints, std::to_string(c.points.size()));
      std::string data;
      data.reserve(c.points.size() * 30);
      for (const Vec3& p : c.points) {
        for (int axis = 0; axis < 3; ++axis) {
          if (!data.empty()) {
            data += '\\';
          }
          data += coordinate(p[axis]);
        }
      }
      oversized = oversized || data.size() > 0xFFFEu;
      put(item, DCM_ContourData, data);
    }
    put(roi, DCM_ReferencedROINumber, std::to_string(numbers[n]));
  }

  // RT ROI Observations module (C.8.8.8).
  for (std::size_t n = 0; n < structures.structures.size(); ++n) {
    const Structure& s = structures.structures[n];
    DcmItem* observation = nullptr;
    dataset->findOrCreateSequenceItem(DCM_RTROIObservationsSequence, observation, -2);
    put(observation, DCM_ObservationNumber, std::to_string(numbers[n]));
    put(observation, DCM_ReferencedROINumber, std::to_string(numbers[n]));
    put(observation, DCM_RTROIInterpretedType,
        s.type.empty() ? interpretedTypeForName(s.name) : s.type);
    put(observation, DCM_ROIInterpreter, "");
  }

  detail::saveAtomically(file, path,
                         oversized ? EXS_LittleEndianImplicit : EXS_LittleEndianExplicit);
  return sop;
}

} // namespace beamlet::dicom
