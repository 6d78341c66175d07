#include "beamlet/dicom/DicomIndex.h"

#include <algorithm>
#include <cmath>

namespace beamlet::dicom {

const char* rtKindName(RtKind kind) {
  switch (kind) {
  case RtKind::Structures:
    return "RTSTRUCT";
  case RtKind::Plan:
    return "RTPLAN";
  case RtKind::Dose:
    return "RTDOSE";
  }
  return "?";
}

int SeriesEntry::frameCount() const {
  int n = 0;
  for (const auto& f : files) {
    n += static_cast<int>(f.frames.size());
  }
  return n;
}

int SeriesEntry::columns() const {
  return files.empty() ? 0 : files.front().columns;
}

int SeriesEntry::rows() const {
  return files.empty() ? 0 : files.front().rows;
}

std::optional<Vec3> SeriesEntry::spacing() const {
  const FrameInfo* first = nullptr;
  for (const auto& f : files) {
    if (!f.frames.empty()) {
      first = &f.frames.front();
      break;
    }
  }
  if (first == nullptr || !first->spacingI || !first->spacingJ || !first->rowDir ||
      !first->columnDir) {
    return std::nullopt;
  }
  const Vec3 normal = first->rowDir->cross(*first->columnDir).normalized();
  std::vector<double> positions;
  for (const auto& f : files) {
    for (const auto& frame : f.frames) {
      if (frame.position) {
        positions.push_back(frame.position->dot(normal));
      }
    }
  }
  std::sort(positions.begin(), positions.end());
  std::vector<double> gaps;
  for (std::size_t n = 1; n < positions.size(); ++n) {
    const double gap = positions[n] - positions[n - 1];
    if (gap > 1e-3) {
      gaps.push_back(gap);
    }
  }
  double sliceSpacing = 0.0;
  if (!gaps.empty()) {
    std::nth_element(gaps.begin(), gaps.begin() + gaps.size() / 2, gaps.end());
    sliceSpacing = gaps[gaps.size() / 2];
  }
  return Vec3(*first->spacingI, *first->spacingJ, sliceSpacing);
}

const SeriesEntry* DicomIndex::findSeries(const std::string& id) const {
  for (const auto& p : patients) {
    for (const auto& st : p.studies) {
      for (const auto& se : st.series) {
        if (se.id == id) {
          return &se;
        }
      }
    }
  }
  return nullptr;
}

std::vector<const SeriesEntry*> DicomIndex::allSeries() const {
  std::vector<const SeriesEntry*> out;
  for (const auto& p : patients) {
    for (const auto& st : p.studies) {
      for (const auto& se : st.series) {
        out.push_back(&se);
      }
    }
  }
  return out;
}

} // namespace beamlet::dicom
