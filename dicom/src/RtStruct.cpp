#include "beamlet/dicom/RtStruct.h"

#include "DcmtkSupport.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>

namespace beamlet::dicom {

using detail::getDoubles;
using detail::getLong;
using detail::getString;

namespace {

DcmSequenceOfItems* sequence(DcmItem* item, const DcmTagKey& tag) {
  DcmSequenceOfItems* seq = nullptr;
  if (item == nullptr || item->findAndGetSequence(tag, seq).bad()) {
    return nullptr;
  }
  return seq;
}

// Contour Data is a DS list x\y\z\x\y\z...; parsed from its text in one pass.
std::vector<Vec3> contourPoints(DcmItem* contour, const std::string& path) {
  // The raw value: DCMTK's string-array access recounts the values once per value (quadratic).
  DcmElement* element = nullptr;
  char* raw = nullptr;
  if (contour->findAndGetElement(DCM_ContourData, element).bad() || element == nullptr ||
      element->getString(raw).bad() || raw == nullptr) {
    return {};
  }
  std::vector<double> values;
  const char* cursor = raw;
  const char* end = cursor + std::strlen(raw);
  while (cursor < end) {
    char* next = nullptr;
    const double v = std::strtod(cursor, &next);
    if (next == cursor) {
      throw DataError(withContext(path, "ContourData value " + std::to_string(values.size()) +
                                            " is not a number"));
    }
    values.push_back(v);
    cursor = next;
    while (cursor < end && (*cursor == '\\' || *cursor == ' ')) {
      ++cursor;
    }
  }
  if (values.size() % 3 != 0) {
    throw DataError(withContext(path, "ContourData holds " + std::to_string(values.size()) +
                                          " values, not a multiple of 3"));
  }
  std::vector<Vec3> points(values.size() / 3);
  for (std::size_t n = 0; n < points.size(); ++n) {
    points[n] = Vec3(values[3 * n], values[3 * n + 1], values[3 * n + 2]);
  }
  return points;
}

} // namespace

StructureSet readRtStruct(const std::string& path) {
  detail::initDcmtk();
  DcmFileFormat file;
  const OFCondition status =
      file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, DCM_MaxReadLength, ERM_autoDetect);
  if (status.bad()) {
    throw DataError(
        withContext(path, std::string("truncated or unreadable file (") + status.text() + ")"));
  }
  DcmDataset* ds = file.getDataset();
  if (getString(ds, DCM_Modality) != "RTSTRUCT" &&
      getString(ds, DCM_SOPClassUID) != UID_RTStructureSetStorage) {
    throw DataError(
        withContext(path, "not an RTSTRUCT (Modality '" + getString(ds, DCM_Modality) + "')"));
  }
  StructureSet set;
  set.label = getString(ds, DCM_StructureSetLabel);
  set.sopInstanceUid = getString(ds, DCM_SOPInstanceUID);
  auto warn = [&](const std::string& message) {
    set.warnings.push_back(message);
    log::warn(withContext(path, message));
  };

  // Frame of reference and the series/images the contours were drawn on (C.8.8.5).
  if (DcmSequenceOfItems* forSeq = sequence(ds, DCM_ReferencedFrameOfReferenceSequence)) {
    for (unsigned long f = 0; f < forSeq->card(); ++f) {
      DcmItem* forItem = forSeq->getItem(f);
      const std::string uid = getString(forItem, DCM_FrameOfReferenceUID);
      if (set.frameOfReferenceUid.empty()) {
        set.frameOfReferenceUid = uid;
      }
      DcmSequenceOfItems* studies = sequence(forItem, DCM_RTReferencedStudySequence);
      for (unsigned long s = 0; studies != nullptr && s < studies->card(); ++s) {
        DcmSequenceOfItems* seriesSeq =
            sequence(studies->getItem(s), DCM_RTReferencedSeriesSequence);
        for (unsigned long r = 0; seriesSeq != nullptr && r < seriesSeq->card(); ++r) {
          DcmItem* seriesItem = seriesSeq->getItem(r);
          set.referencedSeriesUids.push_back(getString(seriesItem, DCM_SeriesInstanceUID));
          DcmSequenceOfItems* images = sequence(seriesItem, DCM_ContourImageSequence);
          for (unsigned long i = 0; images != nullptr && i < images->card(); ++i) {
            set.referencedImageUids.push_back(
                getString(images->getItem(i), DCM_ReferencedSOPInstanceUID));
          }
        }
      }
    }
  } else {
    warn("no ReferencedFrameOfReferenceSequence: the frame of reference cannot be checked");
  }

  // ROI definitions by number.
  std::map<int, std::size_t> byNumber;
  DcmSequenceOfItems* rois = sequence(ds, DCM_StructureSetROISequence);
  for (unsigned long n = 0; rois != nullptr && n < rois->card(); ++n) {
    DcmItem* roi = rois->getItem(n);
    Structure s;
    s.roiNumber = static_cast<int>(getLong(roi, DCM_ROINumber, -1));
    s.name = getString(roi, DCM_ROIName);
    if (s.roiNumber < 0) {
      throw DataError(withContext(path, "ROI '" + s.name + "' has no ROI Number"));
    }
    if (!byNumber.emplace(s.roiNumber, set.structures.size()).second) {
      throw DataError(
          withContext(path, "ROI Number " + std::to_string(s.roiNumber) + " is used twice"));
    }
    if (set.frameOfReferenceUid.empty()) {
      set.frameOfReferenceUid = getString(roi, DCM_ReferencedFrameOfReferenceUID);
    }
    set.structures.push_back(std::move(s));
  }

  // Contours, joined by Referenced ROI Number.
  std::set<std::string> referencedByContours;
  DcmSequenceOfItems* roiContours = sequence(ds, DCM_ROIContourSequence);
  for (unsigned long n = 0; roiContours != nullptr && n < roiContours->card(); ++n) {
    DcmItem* item = roiContours->getItem(n);
    const int number = static_cast<int>(getLong(item, DCM_ReferencedROINumber, -1));
    const auto it = byNumber.find(number);
    if (it == byNumber.end()) {
      warn("contours for ROI Number " + std::to_string(number) +
           " which the structure set does not define: ignored");
      continue;
    }
    Structure& s = set.structures[it->second];
    double rgb[3];
    if (getDoubles(item, DCM_ROIDisplayColor, rgb, 3)) {
      for (int c = 0; c < 3; ++c) {
        s.color[static_cast<std::size_t>(c)] =
            static_cast<std::uint8_t>(std::clamp(rgb[c], 0.0, 255.0));
      }
    }
    int dropped = 0;
    DcmSequenceOfItems* contours = sequence(item, DCM_ContourSequence);
    for (unsigned long c = 0; contours != nullptr && c < contours->card(); ++c) {
      DcmItem* contourItem = contours->getItem(c);
      Contour contour;
      contour.geometricType = getString(contourItem, DCM_ContourGeometricType);
      // The image each contour was drawn on (C.8.8.6.2), checked against the series later.
      DcmSequenceOfItems* images = sequence(contourItem, DCM_ContourImageSequence);
      for (unsigned long i = 0; images != nullptr && i < images->card(); ++i) {
        referencedByContours.insert(getString(images->getItem(i), DCM_ReferencedSOPInstanceUID));
      }
      contour.points = contourPoints(contourItem, path);
      if (contour.geometricType != "CLOSED_PLANAR" || contour.points.size() < 3) {
        ++dropped;
        continue;
      }
      s.contours.push_back(std::move(contour));
    }
    if (dropped > 0) {
      warn("ROI '" + s.name + "': " + std::to_string(dropped) +
           " contour(s) that are not closed polygons of three or more points ignored");
    }
  }

  for (const std::string& uid : referencedByContours) {
    if (!uid.empty() && std::find(set.referencedImageUids.begin(), set.referencedImageUids.end(),
                                  uid) == set.referencedImageUids.end()) {
      set.referencedImageUids.push_back(uid);
    }
  }

  // Interpreted types, by Referenced ROI Number.
  DcmSequenceOfItems* observations = sequence(ds, DCM_RTROIObservationsSequence);
  for (unsigned long n = 0; observations != nullptr && n < observations->card(); ++n) {
    DcmItem* item = observations->getItem(n);
    const auto it = byNumber.find(static_cast<int>(getLong(item, DCM_ReferencedROINumber, -1)));
    if (it != byNumber.end()) {
      set.structures[it->second].type = getString(item, DCM_RTROIInterpretedType);
    }
  }
  for (const Structure& s : set.structures) {
    if (s.contours.empty()) {
      warn("ROI '" + s.name + "' (number " + std::to_string(s.roiNumber) + ") has no contours");
    }
  }
  return set;
}

void checkAgainstImage(StructureSet& set, const std::string& path, const Image& image,
                       const SeriesEntry* series) {
  if (!set.frameOfReferenceUid.empty() && !image.frameOfReferenceUid.empty() &&
      set.frameOfReferenceUid != image.frameOfReferenceUid) {
    throw GeometryError(withContext(path, "frame of reference " + set.frameOfReferenceUid +
                                              " differs from the image's " +
                                              image.frameOfReferenceUid));
  }
  if (series == nullptr || set.referencedImageUids.empty()) {
    return;
  }
  std::set<std::string> present;
  for (const auto& f : series->files) {
    present.insert(f.sopInstanceUid);
  }
  std::size_t missing = 0;
  for (const auto& uid : set.referencedImageUids) {
    missing += present.count(uid) == 0 ? 1 : 0;
  }
  if (missing > 0) {
    const std::string message = std::to_string(missing) + " of " +
                                std::to_string(set.referencedImageUids.size()) +
                                " referenced images are not in the series";
    set.warnings.push_back(message);
    log::warn(withContext(path, message));
  }
}

} // namespace beamlet::dicom
