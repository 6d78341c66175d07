#include "beamlet/dicom/DicomScanner.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Log.h"
#include "beamlet/core/Parallel.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <variant>

namespace fs = std::filesystem;

namespace beamlet::dicom {

namespace {

std::optional<RtKind> rtKindOf(const DicomFileInfo& info) {
  // SOP classes from PS3.4 B.5; Modality as a fallback for files with odd class UIDs.
  const std::string& c = info.sopClassUid;
  if (c == "1.2.840.10008.5.1.4.1.1.481.3" || info.modality == "RTSTRUCT") {
    return RtKind::Structures;
  }
  if (c == "1.2.840.10008.5.1.4.1.1.481.5" || c == "1.2.840.10008.5.1.4.1.1.481.8" ||
      info.modality == "RTPLAN") {
    return RtKind::Plan;
  }
  if (c == "1.2.840.10008.5.1.4.1.1.481.2" || info.modality == "RTDOSE") {
    return RtKind::Dose;
  }
  return std::nullopt;
}

std::vector<std::string> listFiles(const fs::path& root) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_regular_file(root, ec)) {
    files.push_back(fs::absolute(root).lexically_normal().string());
    return files;
  }
  const auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(root, options, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code typeEc;
    if (it->is_regular_file(typeEc)) {
      files.push_back(fs::absolute(it->path()).lexically_normal().string());
    }
  }
  // Scan order must not depend on the file system's directory order.
  std::sort(files.begin(), files.end());
  return files;
}

} // namespace

DicomIndex scanFolder(const std::string& rootPath, ProgressMonitor* progress) {
  std::error_code ec;
  if (!fs::exists(rootPath, ec)) {
    throw IoError(withContext(rootPath, "no such file or folder"));
  }
  DicomIndex index;
  index.root = fs::absolute(rootPath).lexically_normal().string();

  ProgressScope scope(progress, 0.0, 1.0, "scanning DICOM files");
  const std::vector<std::string> files = listFiles(rootPath);
  index.filesExamined = files.size();

  using Outcome = std::variant<DicomFileInfo, SkippedFile>;
  std::vector<Outcome> outcomes(files.size());
  std::atomic<std::size_t> done{0};
  parallelFor(files.size(), [&](std::size_t n) {
    scope.throwIfCancelled();
    try {
      outcomes[n] = readFileInfo(files[n]);
    } catch (const Error& e) {
      // The reason without the path prefix: the path is listed beside it.
      std::string reason = e.what();
      const std::string prefix = files[n] + ": ";
      if (reason.compare(0, prefix.size(), prefix) == 0) {
        reason = reason.substr(prefix.size());
      }
      outcomes[n] = SkippedFile{files[n], reason};
    } catch (const std::exception& e) {
      outcomes[n] = SkippedFile{files[n], std::string("cannot be read: ") + e.what()};
    }
    scope.step(++done, files.size());
  });

  // Group in a deterministic order: patients, studies and series in order of first appearance in
  // the sorted file list.
  std::map<std::string, std::size_t> patientSlot;
  std::map<std::string, std::pair<std::size_t, std::size_t>> studySlot;
  std::map<std::string, std::tuple<std::size_t, std::size_t, std::size_t>> seriesSlot;
  int unnamedSeries = 0;
  for (auto& outcome : outcomes) {
    if (auto* skipped = std::get_if<SkippedFile>(&outcome)) {
      index.skipped.push_back(std::move(*skipped));
      continue;
    }
    auto& info = std::get<DicomFileInfo>(outcome);
    if (auto kind = rtKindOf(info)) {
      index.rtObjects.push_back(RtObjectEntry{*kind, std::move(info)});
      continue;
    }
    std::string seriesKey = info.seriesInstanceUid;
    if (seriesKey.empty()) {
      seriesKey = "\x1f" + fs::path(info.path).parent_path().string() + '\x1f' +
                  info.frameOfReferenceUid + '\x1f' + info.modality + '\x1f' +
                  std::to_string(info.columns) + 'x' + std::to_string(info.rows);
    }
    const std::string patientKey = info.patientId + '\x1f' + info.patientName;
    auto [pit, newPatient] = patientSlot.emplace(patientKey, index.patients.size());
    if (newPatient) {
      index.patients.push_back({info.patientId, info.patientName, {}});
    }
    PatientEntry& patient = index.patients[pit->second];
    const std::string studyKey = patientKey + '\x1f' + info.studyInstanceUid;
    auto [sit, newStudy] = studySlot.emplace(studyKey, std::make_pair(pit->second, 0));
    if (newStudy) {
      sit->second.second = patient.studies.size();
      patient.studies.push_back({info.studyInstanceUid, info.studyDate, info.studyDescription, {}});
    }
    StudyEntry& study = patient.studies[sit->second.second];
    auto seriesIt = seriesSlot.find(seriesKey);
    if (seriesIt == seriesSlot.end()) {
      seriesSlot.emplace(seriesKey,
                         std::make_tuple(pit->second, sit->second.second, study.series.size()));
      SeriesEntry series;
      series.seriesInstanceUid = info.seriesInstanceUid;
      if (info.seriesInstanceUid.empty()) {
        series.id = "nouid-" + std::to_string(++unnamedSeries);
        log::warn(withContext(fs::path(info.path).parent_path().string(),
                              "SeriesInstanceUID is empty: files grouped by folder, frame of "
                              "reference, modality and image size as series " +
                                  series.id));
      } else {
        series.id = info.seriesInstanceUid;
      }
      series.modality = info.modality;
      series.description = info.seriesDescription;
      series.seriesNumber = info.seriesNumber;
      series.frameOfReferenceUid = info.frameOfReferenceUid;
      series.files.push_back(std::move(info));
      study.series.push_back(std::move(series));
    } else {
      // A series UID shared across patients or studies is malformed; keep the files together under
      // the series' first study (loading will judge the geometry) but say so.
      auto [p, s, r] = seriesIt->second;
      SeriesEntry& series = index.patients[p].studies[s].series[r];
      if (p != pit->second || s != sit->second.second) {
        log::warn(withContext(info.path, "SeriesInstanceUID " + info.seriesInstanceUid +
                                             " also used in another patient or study"));
      }
      series.files.push_back(std::move(info));
    }
  }
  return index;
}

} // namespace beamlet::dicom
