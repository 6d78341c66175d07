#pragma once
// Helpers for the de-identification tests: snapshots of a folder (to prove the input is untouched),
// a walk over every element of a set of files with DCMTK (independently of Beamlet's own cleaner),
// and signatures of RT references from Beamlet's scanner.

#include "beamlet/dicom/DicomIndex.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dctk.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

namespace beamlet::test {

namespace fs = std::filesystem;

inline std::string readBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Size, modification time and content hash of every file under root.
using Snapshot = std::map<std::string, std::tuple<std::uintmax_t, fs::file_time_type, std::size_t>>;

inline Snapshot snapshot(const fs::path& root) {
  Snapshot s;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      s[entry.path().string()] = {entry.file_size(), entry.last_write_time(),
                                  std::hash<std::string>{}(readBytes(entry.path()))};
    }
  }
  return s;
}

inline std::vector<fs::path> filesUnder(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// UI attributes that hold class or encoding UIDs (never replaced).
inline bool isClassUidTag(const DcmTagKey& t) {
  static const std::set<DcmTagKey> tags = {
      DCM_MediaStorageSOPClassUID,     DCM_TransferSyntaxUID,
      DCM_ImplementationClassUID,      DCM_SOPClassUID,
      DCM_ReferencedSOPClassUID,       DCM_CodingSchemeUID,
      DCM_SOPClassesInStudy,           DCM_RelatedGeneralSOPClassUID,
      DCM_ReferencedSOPClassUIDInFile, DCM_ReferencedTransferSyntaxUIDInFile,
      DCM_PrivateInformationCreatorUID};
  return tags.count(t) != 0;
}

inline bool isWellKnownUid(const std::string& uid) {
  return uid.rfind("1.2.840.10008.", 0) == 0 || dcmFindNameOfUID(uid.c_str(), nullptr) != nullptr;
}

/// Everything the tests look at in a set of files, read with DCMTK directly.
struct DicomWalk {
  std::size_t files = 0;
  std::size_t unreadable = 0;
  std::set<std::string> instanceUids;      ///< UI values that are neither class nor well-known
  std::set<std::string> sopInstanceUids;   ///< (0008,0018) of each file
  std::vector<std::string> referencedSops; ///< every (0008,1155), at any depth
  std::size_t privateElements = 0;
  std::size_t overlayCurveElements = 0;
  /// Top-level string attributes per file, for attribute checks.
  std::vector<std::map<std::string, std::string>> attributes;
};

inline void walkFile(const fs::path& path, DicomWalk& w) {
  DcmFileFormat file;
  if (file.loadFile(path.c_str()).bad()) {
    ++w.unreadable;
    return;
  }
  ++w.files;
  DcmDataset* ds = file.getDataset();
  std::map<std::string, std::string> attrs;
  auto text = [&](const DcmTagKey& tag) -> std::string {
    OFString v;
    if (ds->findAndGetOFStringArray(tag, v).good()) {
      return v.c_str();
    }
    return ds->tagExists(tag) ? "" : "<absent>";
  };
  for (const auto& [name, tag] : std::vector<std::pair<std::string, DcmTagKey>>{
           {"PatientName", DCM_PatientName},
           {"PatientID", DCM_PatientID},
           {"PatientBirthDate", DCM_PatientBirthDate},
           {"PatientIdentityRemoved", DCM_PatientIdentityRemoved},
           {"InstitutionName", DCM_InstitutionName},
           {"StudyDate", DCM_StudyDate},
           {"AccessionNumber", DCM_AccessionNumber},
           {"LongitudinalTemporalInformationModified",
            DCM_LongitudinalTemporalInformationModified}}) {
    attrs[name] = text(tag);
  }
  DcmItem* code = nullptr;
  std::string codes;
  for (signed long i = 0;
       ds->findAndGetSequenceItem(DCM_DeidentificationMethodCodeSequence, code, i).good(); ++i) {
    OFString v;
    code->findAndGetOFString(DCM_CodeValue, v);
    codes += std::string(v.c_str()) + " ";
  }
  attrs["DeidentificationMethodCodes"] = codes;
  OFString sop;
  if (ds->findAndGetOFString(DCM_SOPInstanceUID, sop).good()) {
    w.sopInstanceUids.insert(sop.c_str());
    attrs["SOPInstanceUID"] = sop.c_str();
  }
  OFString metaSop;
  file.getMetaInfo()->findAndGetOFString(DCM_MediaStorageSOPInstanceUID, metaSop);
  attrs["MediaStorageSOPInstanceUID"] = metaSop.c_str();
  w.attributes.push_back(attrs);

  for (DcmItem* item : {static_cast<DcmItem*>(file.getMetaInfo()), static_cast<DcmItem*>(ds)}) {
    DcmStack stack;
    while (item->nextObject(stack, OFTrue).good()) {
      DcmObject* object = stack.top();
      const DcmTagKey tag = object->getTag();
      if (tag.getGroup() % 2 == 1) {
        ++w.privateElements;
      }
      const Uint16 family = tag.getGroup() & 0xFF00;
      if (family == 0x5000 || family == 0x6000) {
        ++w.overlayCurveElements;
      }
      if (object->ident() != EVR_UI || isClassUidTag(tag)) {
        continue;
      }
      OFString value;
      static_cast<DcmElement*>(object)->getOFStringArray(value);
      std::stringstream parts(value.c_str());
      std::string uid;
      while (std::getline(parts, uid, '\\')) {
        uid.erase(uid.find_last_not_of(std::string(" \0", 2)) + 1);
        if (!uid.empty() && !isWellKnownUid(uid)) {
          w.instanceUids.insert(uid);
        }
        if (tag == DCM_ReferencedSOPInstanceUID) {
          w.referencedSops.push_back(uid);
        }
      }
    }
  }
}

inline DicomWalk walk(const std::vector<fs::path>& files) {
  DicomWalk w;
  for (const fs::path& f : files) {
    walkFile(f, w);
  }
  return w;
}

/// References (0008,1155) that point at an instance of the set itself.
inline std::size_t resolvedSopReferences(const DicomWalk& w) {
  return static_cast<std::size_t>(
      std::count_if(w.referencedSops.begin(), w.referencedSops.end(),
                    [&](const std::string& uid) { return w.sopInstanceUids.count(uid) != 0; }));
}

/// Maximal runs of digits and dots of UID length in a file's bytes: a UID anywhere in the file,
/// whatever attribute (or text) holds it, is one of these.
inline std::set<std::string> uidLikeTokens(const std::string& bytes) {
  std::set<std::string> tokens;
  std::size_t start = std::string::npos;
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    const bool uidChar =
        n < bytes.size() && ((bytes[n] >= '0' && bytes[n] <= '9') || bytes[n] == '.');
    if (uidChar && start == std::string::npos) {
      start = n;
    } else if (!uidChar && start != std::string::npos) {
      if (n - start >= 8) {
        tokens.insert(bytes.substr(start, n - start));
      }
      start = std::string::npos;
    }
  }
  return tokens;
}

/// One line per RT object: its kind, item count and whether each reference resolves within the
/// set (to a series of which modality). Compared as sorted lists, input against output, since the
/// UIDs themselves differ.
inline std::vector<std::string> rtReferenceSignatures(const dicom::DicomIndex& index) {
  std::map<std::string, std::string> seriesModality;
  std::set<std::string> frames;
  for (const dicom::SeriesEntry* s : index.allSeries()) {
    seriesModality[s->seriesInstanceUid] = s->modality;
    frames.insert(s->frameOfReferenceUid);
  }
  std::set<std::string> rtSops;
  for (const auto& rt : index.rtObjects) {
    rtSops.insert(rt.file.sopInstanceUid);
    frames.insert(rt.file.frameOfReferenceUid);
  }
  std::vector<std::string> signatures;
  for (const auto& rt : index.rtObjects) {
    std::string s =
        std::string(dicom::rtKindName(rt.kind)) + " items=" + std::to_string(rt.file.rtItemCount);
    for (const auto& uid : rt.file.referencedSeriesUids) {
      const auto it = seriesModality.find(uid);
      s += " series->" + (it == seriesModality.end() ? std::string("missing") : it->second);
    }
    for (const auto& uid : rt.file.referencedStructureSetUids) {
      s += std::string(" structures->") + (rtSops.count(uid) ? "found" : "missing");
    }
    for (const auto& uid : rt.file.referencedPlanUids) {
      s += std::string(" plan->") + (rtSops.count(uid) ? "found" : "missing");
    }
    for (const auto& uid : rt.file.referencedFrameOfReferenceUids) {
      s += std::string(" frame->") + (frames.count(uid) ? "found" : "missing");
    }
    signatures.push_back(s);
  }
  std::sort(signatures.begin(), signatures.end());
  return signatures;
}

} // namespace beamlet::test
