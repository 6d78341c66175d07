// De-identification of a set of files: checks the input and output folders, reads every header to
// plan the output (patients, studies, series, new file names), then de-identifies and writes the
// files in parallel through one shared UID mapping. See docs/deidentify.md.

#include "beamlet/dicom/Deidentify.h"

#include "DcmtkSupport.h"
#include "DeidentifyDataset.h"
#include "DeidentifyProfile.h"
#include "DeidentifyUids.h"

#include "beamlet/core/Error.h"
#include "beamlet/core/Parallel.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <variant>

namespace fs = std::filesystem;

namespace beamlet::dicom {

namespace {

using detail::DeidChanges;

/// One file to write.
struct Job {
  std::string source;
  fs::path relative; ///< output path relative to the output folder
  std::string modality;
  std::size_t patient = 0;
};

/// What happened to one job.
struct JobResult {
  bool written = false;
  std::string skipReason;
  DeidChanges changes;
};

bool isInside(const fs::path& inner, const fs::path& outer) {
  const auto [o, i] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return o == outer.end();
}

fs::path checkInput(const std::string& in) {
  std::error_code ec;
  if (in.empty() || !fs::exists(in, ec)) {
    throw IoError(withContext(in, "no such file or folder"));
  }
  const fs::path canonical = fs::canonical(in, ec);
  if (ec) {
    throw IoError(withContext(in, "cannot be resolved (" + ec.message() + ")"));
  }
  return canonical;
}

/// Refuses an output that could write into the input or mix with other files; creates it.
fs::path prepareOutput(const fs::path& input, const std::string& out) {
  if (out.empty()) {
    throw InvalidArgumentError("output folder not given");
  }
  std::error_code ec;
  // Links resolved where the path exists, "sub/.." and a trailing '/' folded where it does not.
  fs::path target = fs::weakly_canonical(fs::absolute(out), ec).lexically_normal();
  if (ec) {
    throw IoError(withContext(out, "cannot be resolved (" + ec.message() + ")"));
  }
  if (target.filename().empty()) {
    target = target.parent_path();
  }
  if (target == input) {
    throw InvalidArgumentError(
        withContext(out, "output is the input itself; de-identification never writes into its "
                         "input: choose another output folder"));
  }
  if (isInside(target, input)) {
    throw InvalidArgumentError(withContext(
        out, "output folder is inside the input folder " + input.string() +
                 "; de-identification never writes into its input: choose a folder outside it"));
  }
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec)) {
      throw InvalidArgumentError(withContext(out, "exists and is not a folder"));
    }
    if (!fs::is_empty(target, ec)) {
      throw InvalidArgumentError(withContext(
          out, "output folder is not empty; use a new or empty folder (files are never mixed "
               "with or written over existing ones)"));
    }
  }
  fs::create_directories(target, ec);
  if (ec) {
    throw IoError(withContext(out, "cannot create the output folder (" + ec.message() + ")"));
  }
  return target;
}

std::vector<std::string> listFiles(const fs::path& root) {
  std::vector<std::string> files;
  std::error_code ec;
  if (fs::is_regular_file(root, ec)) {
    files.push_back(root.string());
    return files;
  }
  const auto options = fs::directory_options::skip_permission_denied;
  for (auto it = fs::recursive_directory_iterator(root, options, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code typeEc;
    if (it->is_regular_file(typeEc)) {
      files.push_back(it->path().lexically_normal().string());
    }
  }
  // The plan (patient, study and series numbers) must not depend on directory order.
  std::sort(files.begin(), files.end());
  return files;
}

/// A file or folder name from a value: only letters, digits, '.', '-' and '_'.
std::string safeName(const std::string& value, const std::string& fallback) {
  std::string s;
  for (const char c : value) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    s += ok ? c : '_';
  }
  return s.empty() || s == "." || s == ".." ? fallback : s;
}

std::string numbered(const char* prefix, std::size_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%02zu", prefix, n);
  return buf;
}

std::string reasonOf(const std::string& path, const std::string& message) {
  // The reason without the path prefix: the path is listed beside it.
  const std::string prefix = path + ": ";
  return message.compare(0, prefix.size(), prefix) == 0 ? message.substr(prefix.size()) : message;
}

/// What pass 1 needs from a file's header.
struct Header {
  std::string path;
  std::string patientId;
  std::string patientName;
  std::string studyInstanceUid;
  std::string seriesInstanceUid;
  std::string sopInstanceUid;
  std::string modality;
};

// A file is taken for DICOM if it has the Part 10 'DICM' marker at byte 128, or (ACR-NEMA style,
// no preamble) starts with a group 0002 or 0008 element in either byte order; this keeps DCMTK
// from "parsing" arbitrary files as implicit VR data sets (the scanner's rule).
bool looksLikeDicom(const std::string& path, std::string& problem) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problem = "cannot be opened";
    return false;
  }
  std::array<unsigned char, 132> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const auto got = static_cast<std::size_t>(in.gcount());
  if (got >= 132 && std::memcmp(head.data() + 128, "DICM", 4) == 0) {
    return true;
  }
  if (got >= 8) {
    const unsigned groupLE = head[0] | (head[1] << 8);
    const unsigned groupBE = (head[0] << 8) | head[1];
    if (groupLE == 0x0002 || groupLE == 0x0008 || groupBE == 0x0002 || groupBE == 0x0008) {
      return true;
    }
  }
  problem = got == 0 ? "empty file, not DICOM"
                     : "not a DICOM file (no 'DICM' marker and no DICOM header)";
  return false;
}

/// Reads the header (elements over 4 KiB are not loaded). Unlike the scanner's readFileInfo it
/// does not judge geometry or RT content: anything DCMTK can read is de-identified.
std::variant<Header, SkippedFile> readHeader(const std::string& path) {
  std::string problem;
  if (!looksLikeDicom(path, problem)) {
    return SkippedFile{path, problem};
  }
  DcmFileFormat file;
  const OFCondition status =
      file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
  if (status.bad()) {
    const bool truncated = status == EC_StreamNotifyClient || status == EC_ItemEnd ||
                           std::string(status.text()).find("premature end") != std::string::npos;
    return SkippedFile{path, std::string(truncated ? "truncated file ("
                                                   : "cannot be parsed as "
                                                     "DICOM (") +
                                 status.text() + ")"};
  }
  DcmDataset* ds = file.getDataset();
  using detail::getString;
  std::string sopClass = getString(ds, DCM_SOPClassUID);
  if (sopClass.empty()) {
    sopClass = getString(file.getMetaInfo(), DCM_MediaStorageSOPClassUID);
  }
  if (sopClass == UID_MediaStorageDirectoryStorage) {
    return SkippedFile{path, "DICOMDIR (a media index listing patients' names; not copied: "
                             "make a new one from the output if needed)"};
  }
  if (ds->card() == 0) {
    return SkippedFile{path, "no DICOM data set in the file"};
  }
  Header h;
  h.path = path;
  h.patientId = getString(ds, DCM_PatientID);
  h.patientName = getString(ds, DCM_PatientName);
  h.studyInstanceUid = getString(ds, DCM_StudyInstanceUID);
  h.seriesInstanceUid = getString(ds, DCM_SeriesInstanceUID);
  h.sopInstanceUid = getString(ds, DCM_SOPInstanceUID);
  h.modality = getString(ds, DCM_Modality);
  return h;
}

struct Plan {
  std::vector<Job> jobs;
  std::vector<SkippedFile> skipped;
  std::vector<std::pair<std::string, std::string>> patients; ///< dummy (name, id) per patient
};

/// Numbers patients, studies and series in order of first appearance in the sorted file list and
/// names each output file after its new SOP Instance UID: the input's file and folder names may
/// hold a patient's name and are never reused.
Plan planOutputs(std::vector<std::variant<Header, SkippedFile>>& headers,
                 const DeidentifyOptions& options, detail::UidMap& uids) {
  Plan plan;
  std::map<std::string, std::size_t> patientOf;
  std::map<std::string, std::size_t> studyOf;  // key: patient + study UID
  std::map<std::string, std::size_t> seriesOf; // key: patient + study UID + series UID
  std::map<std::size_t, std::size_t> studiesPerPatient;
  std::map<std::string, std::size_t> seriesPerStudy;
  std::map<std::string, std::string> firstWithSop;
  std::size_t unnamedInstances = 0;

  for (auto& header : headers) {
    if (auto* skipped = std::get_if<SkippedFile>(&header)) {
      plan.skipped.push_back(std::move(*skipped));
      continue;
    }
    const Header& info = std::get<Header>(header);
    if (!info.sopInstanceUid.empty()) {
      const auto [it, first] = firstWithSop.emplace(info.sopInstanceUid, info.path);
      if (!first) {
        plan.skipped.push_back(
            {info.path, "duplicate SOPInstanceUID: the same instance as " + it->second});
        continue;
      }
    }
    const std::string patientKey = info.patientId + '\x1f' + info.patientName;
    const std::size_t patient = patientOf.emplace(patientKey, patientOf.size()).first->second;
    const std::string studyKey = std::to_string(patient) + '\x1f' + info.studyInstanceUid;
    auto sit = studyOf.find(studyKey);
    if (sit == studyOf.end()) {
      sit = studyOf.emplace(studyKey, ++studiesPerPatient[patient]).first;
    }
    // Files without a SeriesInstanceUID are grouped by folder and modality, as the scanner does.
    const std::string seriesKey =
        studyKey + '\x1f' +
        (info.seriesInstanceUid.empty()
             ? "\x1e" + fs::path(info.path).parent_path().string() + '\x1e' + info.modality
             : info.seriesInstanceUid);
    auto seriesIt = seriesOf.find(seriesKey);
    if (seriesIt == seriesOf.end()) {
      seriesIt = seriesOf.emplace(seriesKey, ++seriesPerStudy[studyKey]).first;
    }
    const std::string fileName = info.sopInstanceUid.empty()
                                     ? numbered("instance", ++unnamedInstances)
                                     : uids.map(info.sopInstanceUid, false);
    Job job;
    job.source = info.path;
    job.modality = info.modality;
    job.patient = patient;
    job.relative = fs::path(numbered("study", sit->second)) /
                   numbered((safeName(info.modality, "OT") + "-series").c_str(), seriesIt->second) /
                   (fileName + ".dcm");
    plan.jobs.push_back(std::move(job));
  }

  // Dummy identity per patient: the options' values for a single patient, numbered for several.
  const std::size_t count = patientOf.size();
  for (std::size_t p = 0; p < count; ++p) {
    const std::string suffix = count > 1 ? "-" + std::to_string(p + 1) : std::string();
    // The number goes into the family name component of the person name ("ANONYMOUS-2^").
    std::string name = options.patientName;
    name.insert(std::min(name.find('^'), name.size()), suffix);
    plan.patients.emplace_back(name, options.patientId + suffix);
  }
  for (Job& job : plan.jobs) {
    job.relative = fs::path(safeName(plan.patients[job.patient].second, "patient")) / job.relative;
  }
  return plan;
}

/// Writes under a temporary name in the same folder and renames: a reader never sees a half-written
/// file. Compressed (and deflated) data is written in its own transfer syntax, so pixel data bytes
/// are unchanged and nothing is re-encoded; anything else as explicit VR little endian.
/// Throws IoError when the output cannot be written at all (folder, disk), DataError when DCMTK
/// cannot encode this file (the file is then skipped).
void saveAtomically(DcmFileFormat& file, const fs::path& target) {
  // Read before saving: writing updates the meta header's transfer syntax.
  const std::string ts = detail::getString(file.getMetaInfo(), DCM_TransferSyntaxUID);
  const E_TransferSyntax original = file.getDataset()->getOriginalXfer();
  const DcmXfer originalXfer(original);
  const bool keep = original != EXS_Unknown &&
                    (originalXfer.isEncapsulated() || original == EXS_DeflatedLittleEndianExplicit);
  const E_TransferSyntax xfer = keep ? original : EXS_LittleEndianExplicit;
  thread_local std::random_device rd;
  const fs::path tmp =
      target.parent_path() / ("." + target.filename().string() + ".tmp" + std::to_string(rd()));
  {
    // Creating the file first tells a folder or disk problem (stop the run) from an encoding
    // problem of this one file (skip it).
    std::ofstream probe(tmp, std::ios::binary);
    if (!probe) {
      throw IoError(withContext(target.string(), "cannot create a file in the output folder"));
    }
  }
  // EWM_fileformat: the meta header keeps what deidentifyMetaInfo left (its SOP Instance UID is
  // already remapped; the SOP Class UID is kept even where the data set's own is missing or
  // unreadable) and DCMTK updates the transfer syntax and implementation fields.
  const OFCondition status = file.saveFile(tmp.c_str(), xfer, EET_ExplicitLength, EGL_recalcGL,
                                           EPD_noChange, 0, 0, EWM_fileformat);
  std::error_code ec;
  if (status.bad()) {
    fs::remove(tmp, ec);
    throw DataError("cannot be written back in its transfer syntax (" +
                    detail::transferSyntaxName(ts) + "; DCMTK: " + status.text() + ")");
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw IoError(withContext(target.string(),
                              "cannot rename the written file into place (" + ec.message() + ")"));
  }
}

JobResult runJob(const Job& job, const fs::path& outRoot, const detail::DeidSettings& settings,
                 std::mutex& folderMutex) {
  JobResult result;
  DcmFileFormat file;
  OFCondition status = file.loadFile(job.source.c_str(), EXS_Unknown, EGL_noChange,
                                     DCM_MaxReadLength, ERM_autoDetect);
  if (status.good()) {
    status = file.loadAllDataIntoMemory();
  }
  if (status.bad()) {
    // Truncated or garbled beyond the header: never written, since a partial copy could drop
    // pixel data or, worse, keep identifying attributes the parser never reached.
    result.skipReason = std::string("cannot be read completely (") + status.text() + ")";
    return result;
  }
  if (file.getDataset()->tagExists(DCM_ContentSequence)) {
    // Structured documents (SR, Key Object Selection, ...) keep their text in the Content
    // Sequence, which the profile gives D and which only the Clean Structured Content Option
    // (not implemented) could clean; emptying it would leave an invalid, useless document.
    result.skipReason = "structured document (Content Sequence): its content cannot be "
                        "de-identified here (Clean Structured Content Option not implemented)";
    return result;
  }
  detail::deidentifyMetaInfo(*file.getMetaInfo(), settings, result.changes);
  detail::deidentifyDataset(*file.getDataset(), settings, result.changes);

  const fs::path target = outRoot / job.relative;
  {
    std::lock_guard<std::mutex> lock(folderMutex);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) {
      throw IoError(withContext(target.parent_path().string(),
                                "cannot create the folder (" + ec.message() + ")"));
    }
  }
  saveAtomically(file, target);
  result.written = true;
  return result;
}

std::string tagText(std::uint32_t key) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "(%04X,%04X)", key >> 16, key & 0xFFFF);
  return buf;
}

std::string tagName(std::uint32_t key) {
  DcmTag tag(static_cast<Uint16>(key >> 16), static_cast<Uint16>(key & 0xFFFF));
  const char* name = tag.getTagName();
  const std::string s = name != nullptr ? name : "";
  return s == DcmTag_ERROR_TagName ? std::string() : s;
}

} // namespace

DeidentifyReport deidentify(const std::string& in, const std::string& out,
                            const DeidentifyOptions& options, ProgressMonitor* progress) {
  detail::initDcmtk();
  const fs::path input = checkInput(in);
  const fs::path output = prepareOutput(input, out);

  DeidentifyReport report;
  report.input = input.string();
  report.output = output.string();

  ProgressScope scope(progress, 0.0, 1.0, "de-identifying DICOM files");
  const std::vector<std::string> files = listFiles(input);
  report.filesExamined = files.size();

  // Pass 1: headers only, to find patients, studies and series and to skip what is not DICOM.
  ProgressScope headerScope(scope, 0.0, 0.15, "reading DICOM headers");
  std::vector<std::variant<Header, SkippedFile>> headers(files.size());
  std::atomic<std::size_t> done{0};
  parallelFor(
      files.size(),
      [&](std::size_t n) {
        headerScope.throwIfCancelled();
        try {
          headers[n] = readHeader(files[n]);
        } catch (const std::exception& e) {
          headers[n] = SkippedFile{files[n], std::string("cannot be read: ") + e.what()};
        }
        headerScope.step(++done, files.size());
      },
      options.threads);

  detail::UidMap uids;
  Plan plan = planOutputs(headers, options, uids);
  report.patients = plan.patients.size();
  for (const auto& names : plan.patients) {
    report.patientIds.push_back(names.second);
  }

  // Pass 2: de-identify and write, one file per task, all through the same UID map.
  ProgressScope writeScope(scope, 0.15, 1.0, "de-identifying and writing");
  std::vector<JobResult> results(plan.jobs.size());
  std::mutex folderMutex;
  done = 0;
  parallelFor(
      plan.jobs.size(),
      [&](std::size_t n) {
        writeScope.throwIfCancelled();
        const Job& job = plan.jobs[n];
        detail::DeidSettings settings;
        settings.uids = &uids;
        settings.patientName = plan.patients[job.patient].first;
        settings.patientId = plan.patients[job.patient].second;
        settings.retainLongitudinalFullDates = options.retainLongitudinalFullDates;
        try {
          results[n] = runJob(job, output, settings, folderMutex);
        } catch (const IoError&) {
          throw; // the output cannot be written: stop rather than skip every file
        } catch (const Error& e) {
          results[n].skipReason = reasonOf(job.source, e.what());
        }
        writeScope.step(++done, plan.jobs.size());
      },
      options.threads);

  DeidChanges total;
  for (std::size_t n = 0; n < plan.jobs.size(); ++n) {
    const Job& job = plan.jobs[n];
    JobResult& r = results[n];
    if (!r.written) {
      plan.skipped.push_back({job.source, r.skipReason});
      continue;
    }
    report.written.push_back({job.source, job.relative.generic_string(), job.modality});
    for (const std::string& w : r.changes.warnings) {
      report.warnings.push_back(withContext(job.source, w));
    }
    r.changes.warnings.clear();
    total.merge(r.changes);
  }
  std::sort(plan.skipped.begin(), plan.skipped.end(),
            [](const SkippedFile& a, const SkippedFile& b) { return a.path < b.path; });
  report.skipped = std::move(plan.skipped);
  for (const auto& [key, count] : total.counts) {
    const DcmTagKey tag(static_cast<Uint16>(key.first >> 16),
                        static_cast<Uint16>(key.first & 0xFFFF));
    const detail::DeidAction code = detail::basicProfileRule(tag).code;
    report.changes.push_back(
        {tagText(key.first), tagName(key.first), detail::deidChangeName(key.second),
         code == detail::DeidAction::Keep ? "" : detail::actionCode(code), count});
  }
  report.privateAttributesRemoved = total.privateRemoved;
  report.overlayCurveAttributesRemoved = total.overlayCurveRemoved;
  report.uidsRemapped = uids.size();
  return report;
}

} // namespace beamlet::dicom
