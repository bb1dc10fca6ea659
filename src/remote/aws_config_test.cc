// Tests of the AWS configuration chain with a fake environment and temporary files: the
// environment first, then the profile of the credentials file, then the config file; the
// region and endpoint sources in order; errors for a missing profile or a half-given key.
#include "remote/aws_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace logan {
namespace {

namespace fs = std::filesystem;

class AwsConfigTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "logan_aws_XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    home_ = tmpl;
    vars_["HOME"] = home_.string();
  }
  void TearDown() override { fs::remove_all(home_); }

  void write(const std::string& relative, const std::string& text) {
    fs::create_directories((home_ / relative).parent_path());
    std::ofstream(home_ / relative) << text;
  }
  Result<AwsConfig> resolve(const std::string& endpoint_flag = "") {
    return resolve_aws_config(
        [this](const char* name) -> const char* {
          auto it = vars_.find(name);
          return it == vars_.end() ? nullptr : it->second.c_str();
        },
        endpoint_flag);
  }

  fs::path home_;
  std::map<std::string, std::string> vars_;
};

TEST_F(AwsConfigTest, ParsesIni) {
  auto ini = parse_ini("# comment\n[default]\n aws_access_key_id = AK \r\n; other\n"
                       "[profile x]\nregion=eu-west-1\nbroken line\n");
  EXPECT_EQ(ini["default"]["aws_access_key_id"], "AK");
  EXPECT_EQ(ini["profile x"]["region"], "eu-west-1");
  EXPECT_EQ(ini["profile x"].size(), 1u);
}

TEST_F(AwsConfigTest, NothingAtAllMeansUnsignedInUsEast1) {
  auto c = resolve();
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->credentials.empty());
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_EQ(c->endpoint, "");
}

TEST_F(AwsConfigTest, EnvironmentWinsOverFiles) {
  write(".aws/credentials", "[default]\naws_access_key_id = FILE\naws_secret_access_key = fs\n");
  vars_["AWS_ACCESS_KEY_ID"] = "ENV";
  vars_["AWS_SECRET_ACCESS_KEY"] = "es";
  vars_["AWS_SESSION_TOKEN"] = "tok";
  auto c = resolve();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.access_key_id, "ENV");
  EXPECT_EQ(c->credentials.secret_access_key, "es");
  EXPECT_EQ(c->credentials.session_token, "tok");
  EXPECT_EQ(c->credentials.source, "environment");
}

TEST_F(AwsConfigTest, ProfileFromCredentialsFileAndRegionFromConfigFile) {
  write("creds", "[default]\naws_access_key_id = D\naws_secret_access_key = d\n"
                 "[logs]\naws_access_key_id = L\naws_secret_access_key = l\naws_session_token = t\n");
  write("conf", "[default]\nregion = us-west-2\n[profile logs]\nregion = eu-west-3\n"
                "endpoint_url = http://127.0.0.1:9000/\n");
  vars_["AWS_SHARED_CREDENTIALS_FILE"] = (home_ / "creds").string();
  vars_["AWS_CONFIG_FILE"] = (home_ / "conf").string();
  vars_["AWS_PROFILE"] = "logs";
  auto c = resolve();
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->credentials.access_key_id, "L");
  EXPECT_EQ(c->credentials.session_token, "t");
  EXPECT_EQ(c->region, "eu-west-3");
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:9000");
  EXPECT_NE(c->credentials.source.find("profile 'logs'"), std::string::npos);
  vars_["AWS_REGION"] = "ap-south-1";
  EXPECT_EQ(resolve()->region, "ap-south-1");
  EXPECT_EQ(resolve("http://flag:1")->endpoint, "http://flag:1");
  vars_["AWS_ENDPOINT_URL"] = "http://env:2";
  EXPECT_EQ(resolve()->endpoint, "http://env:2");
}

TEST_F(AwsConfigTest, CredentialsInTheConfigFileDefaultProfile) {
  write(".aws/config", "[default]\naws_access_key_id = C\naws_secret_access_key = c\nregion = sa-east-1\n");
  vars_["AWS_DEFAULT_REGION"] = "ca-central-1";
  auto c = resolve();
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->credentials.access_key_id, "C");
  EXPECT_EQ(c->region, "ca-central-1");
}

TEST_F(AwsConfigTest, Errors) {
  vars_["AWS_PROFILE"] = "nope";
  EXPECT_FALSE(resolve().ok());
  vars_.erase("AWS_PROFILE");
  vars_["AWS_CONFIG_FILE"] = (home_ / "missing").string();
  auto missing = resolve();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("AWS_CONFIG_FILE"), std::string::npos);
  vars_.erase("AWS_CONFIG_FILE");
  vars_["AWS_ACCESS_KEY_ID"] = "K";
  EXPECT_FALSE(resolve().ok());
  write(".aws/credentials", "[default]\naws_access_key_id = K\n");
  vars_.erase("AWS_ACCESS_KEY_ID");
  EXPECT_FALSE(resolve().ok());
}

}  // namespace
}  // namespace logan
