// S3 XML reading; see s3_xml.h.
#include "remote/s3_xml.h"

#include <charconv>

#include "remote/utf8_append.h"

namespace logan {

std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string_view> out;
  const std::string open = "<" + std::string(tag);
  const std::string close = "</" + std::string(tag) + ">";
  size_t pos = 0;
  for (;;) {
    size_t start = xml.find(open, pos);
    if (start == std::string_view::npos) return out;
    size_t after = start + open.size();
    // "<Key" must not match "<KeyCount>": the name ends at '>', '/' or a space.
    if (after >= xml.size()) return out;
    char c = xml[after];
    if (c != '>' && c != ' ' && c != '/') {
      pos = after;
      continue;
    }
    size_t gt = xml.find('>', after);
    if (gt == std::string_view::npos) return out;
    if (xml[gt - 1] == '/') {  // <Tag/>: empty
      out.emplace_back();
      pos = gt + 1;
      continue;
    }
    size_t end = xml.find(close, gt + 1);
    if (end == std::string_view::npos) return out;
    out.push_back(xml.substr(gt + 1, end - gt - 1));
    pos = end + close.size();
  }
}

std::string xml_text(std::string_view xml, std::string_view tag) {
  auto all = xml_elements(xml, tag);
  return all.empty() ? std::string() : xml_unescape(all.front());
}

std::string xml_unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    size_t semi = s[i] == '&' ? s.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back(s[i]);
      continue;
    }
    std::string_view entity = s.substr(i + 1, semi - i - 1);
    if (entity == "amp") out.push_back('&');
    else if (entity == "lt") out.push_back('<');
    else if (entity == "gt") out.push_back('>');
    else if (entity == "quot") out.push_back('"');
    else if (entity == "apos") out.push_back('\'');
    else if (entity.size() > 1 && entity[0] == '#') {
      bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string_view digits = entity.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (r.ec != std::errc() || r.ptr != digits.data() + digits.size() || cp > 0x10FFFF) {
        out.push_back(s[i]);
        continue;
      }
      append_utf8(out, cp);
    } else {
      out.push_back(s[i]);
      continue;
    }
    i = semi;
  }
  return out;
}

Result<ListPage> parse_list_page(std::string_view xml) {
  if (xml_elements(xml, "ListBucketResult").empty()) {
    return Error{"the answer to a listing is not a ListBucketResult"};
  }
  ListPage page;
  for (std::string_view contents : xml_elements(xml, "Contents")) {
    ListedObject o;
    o.key = xml_text(contents, "Key");
    std::string size = xml_text(contents, "Size");
    auto r = std::from_chars(size.data(), size.data() + size.size(), o.size);
    if (r.ec != std::errc()) return Error{"bad <Size> for key '" + o.key + "' in a listing"};
    page.objects.push_back(std::move(o));
  }
  page.truncated = xml_text(xml, "IsTruncated") == "true";
  page.next_token = xml_text(xml, "NextContinuationToken");
  if (page.truncated && page.next_token.empty()) {
    return Error{"a truncated listing came without a NextContinuationToken"};
  }
  return page;
}

S3ErrorDoc parse_s3_error(std::string_view xml) {
  auto error = xml_elements(xml, "Error");
  if (error.empty()) return {};
  return {xml_text(error.front(), "Code"), xml_text(error.front(), "Message")};
}

}  // namespace logan
