// The little XML that S3 answers with: ListObjectsV2 pages, <Error> documents and the
// UploadId of a new multipart upload. S3's XML is flat and machine-written, so elements are
// found by tag name rather than with a general parser; text is unescaped (&amp; &lt; &gt;
// &quot; &apos; and numeric references).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace logan {

// The text inside each <tag>...</tag> of `xml`, in order, still escaped. Elements of the same
// name must not nest (true of everything S3 sends).
std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag);

// The unescaped text of the first <tag> of `xml`, or "" when there is none.
std::string xml_text(std::string_view xml, std::string_view tag);

std::string xml_unescape(std::string_view s);

struct ListedObject {
  std::string key;
  uint64_t size = 0;
};

struct ListPage {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken when truncated
};

// Parses one ListObjectsV2 answer; fails on a document that is not a ListBucketResult or a
// truncated page without a continuation token (listing would never end).
Result<ListPage> parse_list_page(std::string_view xml);

struct S3ErrorDoc {
  std::string code;     // e.g. "NoSuchBucket"; "" when the body is no <Error>
  std::string message;
};
S3ErrorDoc parse_s3_error(std::string_view xml);

}  // namespace logan
