// Tests of the S3 XML readers: ListObjectsV2 pages (keys with escapes, sizes, truncation and
// continuation tokens), <Error> documents and malformed answers.
#include "remote/s3_xml.h"

#include <gtest/gtest.h>

namespace logan {
namespace {

TEST(S3XmlTest, ParsesAListPage) {
  const char* xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
      "<Prefix>logs/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
      "<IsTruncated>true</IsTruncated>"
      "<Contents><Key>logs/a&amp;b &lt;1&gt;.log</Key><Size>1234567890123</Size>"
      "<ETag>&quot;x&quot;</ETag></Contents>"
      "<Contents><Key>logs/caf&#xE9;&#233;.log</Key><Size>0</Size></Contents>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "</ListBucketResult>";
  auto page = parse_list_page(xml);
  ASSERT_TRUE(page.ok()) << page.error().message;
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "logs/a&b <1>.log");
  EXPECT_EQ(page->objects[0].size, 1234567890123u);
  EXPECT_EQ(page->objects[1].key, "logs/caf\xC3\xA9\xC3\xA9.log");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3XmlTest, KeyCountIsNotAKey) {
  auto page = parse_list_page("<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false"
                              "</IsTruncated></ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty());
  EXPECT_FALSE(page->truncated);
}

TEST(S3XmlTest, RejectsAnswersThatAreNoListingOrNeverEnd) {
  EXPECT_FALSE(parse_list_page("<Error><Code>NoSuchBucket</Code></Error>").ok());
  EXPECT_FALSE(parse_list_page("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>").ok());
  EXPECT_FALSE(parse_list_page("<ListBucketResult><Contents><Key>a</Key><Size>x</Size></Contents>"
                               "</ListBucketResult>").ok());
}

TEST(S3XmlTest, ParsesErrors) {
  auto e = parse_s3_error("<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>"
                          "<Message>The request signature we calculated does not match</Message>"
                          "<StringToSign>AWS4</StringToSign></Error>");
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.message, "The request signature we calculated does not match");
  EXPECT_EQ(parse_s3_error("").code, "");
  EXPECT_EQ(parse_s3_error("<html>502 Bad Gateway</html>").code, "");
}

TEST(S3XmlTest, UnescapesAndLeavesUnknownEntities) {
  EXPECT_EQ(xml_unescape("a&amp;b&apos;&quot;&#65;&#x42;&bogus;&"), "a&b'\"AB&bogus;&");
  EXPECT_EQ(xml_text("<R><UploadId>abc</UploadId></R>", "UploadId"), "abc");
  EXPECT_EQ(xml_text("<R><Empty/></R>", "Empty"), "");
}

}  // namespace
}  // namespace logan
