// Where S3 requests go and whom they are signed as, found the way the AWS CLI finds them:
// credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else from the
// profile (AWS_PROFILE, default "default") of the shared credentials file
// (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials), else of the config file
// (AWS_CONFIG_FILE, default ~/.aws/config); the region from AWS_REGION, AWS_DEFAULT_REGION or
// the profile's `region` (default us-east-1); the endpoint from the caller (a flag),
// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL or the profile's `endpoint_url`.
// No credentials at all is not an error: requests then go unsigned (public buckets).
// Thread-safety: pure functions; the environment is read through the lookup given.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/result.h"

namespace logan {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
  std::string source;         // where they came from, for --verbose (never the secret)

  bool empty() const { return access_key_id.empty(); }
};

struct AwsConfig {
  AwsCredentials credentials;
  std::string region;
  std::string endpoint;  // "" for AWS itself; else e.g. "http://127.0.0.1:9000"
};

// An INI file as the AWS tools write it: [section] headers, key = value lines, '#' and ';'
// comments. Keys and section names are trimmed; later duplicates win.
using IniSections = std::map<std::string, std::map<std::string, std::string>>;
IniSections parse_ini(std::string_view text);

// Returns the value of an environment variable, or null.
using EnvLookup = std::function<const char*(const char*)>;

// Resolves the configuration. `endpoint_flag` (may be empty) wins over the environment.
// Fails, naming the file or profile, when a file named by a variable cannot be read, when
// AWS_PROFILE names a profile found in neither file, or when a key id comes without its secret.
Result<AwsConfig> resolve_aws_config(const EnvLookup& env, const std::string& endpoint_flag);

}  // namespace logan
