#include "beamlet/app/IndexReport.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <sstream>

namespace beamlet::app {

namespace {

using Json = nlohmann::ordered_json;

std::string relativePath(const dicom::DicomIndex& index, const std::string& path) {
  std::error_code ec;
  const auto rel = std::filesystem::relative(path, index.root, ec);
  if (ec || rel.empty()) {
    return path;
  }
  const std::string r = rel.string();
  return r == "." ? std::filesystem::path(path).filename().string() : r;
}

Json seriesJson(const dicom::DicomIndex& index, const dicom::SeriesEntry& s) {
  Json j;
  j["id"] = s.id;
  j["seriesInstanceUid"] = s.seriesInstanceUid;
  j["modality"] = s.modality;
  j["seriesNumber"] = s.seriesNumber;
  j["description"] = s.description;
  j["frameOfReferenceUid"] = s.frameOfReferenceUid;
  j["files"] = s.files.size();
  j["slices"] = s.frameCount();
  j["dims"] = {s.columns(), s.rows(), s.frameCount()};
  if (const auto sp = s.spacing()) {
    j["spacingMm"] = {(*sp)[0], (*sp)[1], (*sp)[2]};
  } else {
    j["spacingMm"] = nullptr;
  }
  j["transferSyntaxUid"] = s.files.empty() ? "" : s.files.front().transferSyntaxUid;
  Json files = Json::array();
  for (const auto& f : s.files) {
    files.push_back(relativePath(index, f.path));
  }
  j["paths"] = files;
  return j;
}

Json rtJson(const dicom::DicomIndex& index, const dicom::RtObjectEntry& rt) {
  const auto& f = rt.file;
  Json j;
  j["kind"] = dicom::rtKindName(rt.kind);
  j["path"] = relativePath(index, f.path);
  j["sopInstanceUid"] = f.sopInstanceUid;
  j["seriesInstanceUid"] = f.seriesInstanceUid;
  j["studyInstanceUid"] = f.studyInstanceUid;
  j["patientId"] = f.patientId;
  j["frameOfReferenceUid"] = f.frameOfReferenceUid;
  j["label"] = f.rtLabel;
  j["items"] = f.rtItemCount;
  Json refs = Json::array();
  for (const auto& u : f.referencedFrameOfReferenceUids) {
    refs.push_back({{"type", "frameOfReference"}, {"uid", u}});
  }
  for (const auto& u : f.referencedSeriesUids) {
    refs.push_back({{"type", "series"}, {"uid", u}});
  }
  for (const auto& u : f.referencedStructureSetUids) {
    refs.push_back({{"type", "structureSet"}, {"uid", u}});
  }
  for (const auto& u : f.referencedPlanUids) {
    refs.push_back({{"type", "plan"}, {"uid", u}});
  }
  j["references"] = refs;
  return j;
}

std::string mm(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

const char* rtItemName(dicom::RtKind kind) {
  switch (kind) {
  case dicom::RtKind::Structures:
    return "ROIs";
  case dicom::RtKind::Plan:
    return "beams";
  case dicom::RtKind::Dose:
    return "frames";
  }
  return "items";
}

} // namespace

std::string indexToJson(const dicom::DicomIndex& index) {
  Json j;
  j["format"] = "beamlet-dicom-index";
  j["version"] = 1;
  j["root"] = index.root;
  j["filesExamined"] = index.filesExamined;
  Json patients = Json::array();
  for (const auto& p : index.patients) {
    Json pj;
    pj["patientId"] = p.patientId;
    pj["patientName"] = p.patientName;
    Json studies = Json::array();
    for (const auto& st : p.studies) {
      Json sj;
      sj["studyInstanceUid"] = st.studyInstanceUid;
      sj["studyDate"] = st.studyDate;
      sj["description"] = st.description;
      Json series = Json::array();
      for (const auto& se : st.series) {
        series.push_back(seriesJson(index, se));
      }
      sj["series"] = series;
      studies.push_back(sj);
    }
    pj["studies"] = studies;
    patients.push_back(pj);
  }
  j["patients"] = patients;
  Json rts = Json::array();
  for (const auto& rt : index.rtObjects) {
    rts.push_back(rtJson(index, rt));
  }
  j["rtObjects"] = rts;
  Json skipped = Json::array();
  for (const auto& s : index.skipped) {
    skipped.push_back({{"path", relativePath(index, s.path)}, {"reason", s.reason}});
  }
  j["skipped"] = skipped;
  return j.dump(2) + "\n";
}

std::string indexToText(const dicom::DicomIndex& index) {
  std::ostringstream out;
  out << index.root << ": " << index.filesExamined << " files, " << index.patients.size()
      << " patient(s), " << index.rtObjects.size() << " RT object(s), " << index.skipped.size()
      << " skipped\n";
  for (const auto& p : index.patients) {
    out << "patient " << (p.patientId.empty() ? "(no ID)" : p.patientId) << "  " << p.patientName
        << "\n";
    for (const auto& st : p.studies) {
      out << "  study " << st.studyInstanceUid << "  " << st.studyDate << "  " << st.description
          << "\n";
      for (const auto& se : st.series) {
        out << "    series " << se.id << "  " << (se.modality.empty() ? "?" : se.modality) << "  #"
            << se.seriesNumber << "  \"" << se.description << "\"\n"
            << "      " << se.columns() << "x" << se.rows() << " pixels, " << se.frameCount()
            << " slice(s) in " << se.files.size() << " file(s)";
        if (const auto sp = se.spacing()) {
          out << ", spacing " << mm((*sp)[0]) << " x " << mm((*sp)[1]) << " x " << mm((*sp)[2])
              << " mm";
        }
        out << "\n";
      }
    }
  }
  for (const auto& rt : index.rtObjects) {
    const auto& f = rt.file;
    out << dicom::rtKindName(rt.kind) << " " << relativePath(index, f.path) << "  \"" << f.rtLabel
        << "\"  " << f.rtItemCount << " " << rtItemName(rt.kind) << "\n";
    for (const auto& u : f.referencedFrameOfReferenceUids) {
      out << "  -> frame of reference " << u << "\n";
    }
    for (const auto& u : f.referencedSeriesUids) {
      out << "  -> series " << u << (index.findSeries(u) ? "" : " (not in this folder)") << "\n";
    }
    for (const auto& u : f.referencedStructureSetUids) {
      out << "  -> structure set " << u << "\n";
    }
    for (const auto& u : f.referencedPlanUids) {
      out << "  -> plan " << u << "\n";
    }
  }
  for (const auto& s : index.skipped) {
    out << "skipped " << relativePath(index, s.path) << ": " << s.reason << "\n";
  }
  return out.str();
}

} // namespace beamlet::app
