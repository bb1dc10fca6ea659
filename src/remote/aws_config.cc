// AWS credential, region and endpoint resolution; see aws_config.h.
#include "remote/aws_config.h"

#include <fstream>
#include <sstream>

namespace logan {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string env_or(const EnvLookup& env, const char* name, std::string fallback = {}) {
  const char* v = env(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

struct SharedFile {
  std::string path;
  bool named;  // by a variable: a missing file is then an error
  IniSections sections;
};

Result<SharedFile> load(const EnvLookup& env, const char* variable, const char* home_relative) {
  SharedFile file{env_or(env, variable), true, {}};
  if (file.path.empty()) {
    file.named = false;
    std::string home = env_or(env, "HOME");
    if (home.empty()) return file;
    file.path = home + "/" + home_relative;
  }
  std::ifstream in(file.path, std::ios::binary);
  if (!in) {
    if (file.named) return Error{"cannot read " + std::string(variable) + " file '" + file.path + "'"};
    return file;
  }
  std::ostringstream text;
  text << in.rdbuf();
  file.sections = parse_ini(text.str());
  return file;
}

const std::map<std::string, std::string>* section(const IniSections& s, const std::string& name) {
  auto it = s.find(name);
  return it == s.end() ? nullptr : &it->second;
}

std::string value(const std::map<std::string, std::string>* kv, const char* key) {
  if (kv == nullptr) return {};
  auto it = kv->find(key);
  return it == kv->end() ? std::string() : it->second;
}

}  // namespace

IniSections parse_ini(std::string_view text) {
  IniSections out;
  std::string current;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = trim(text.substr(start, nl - start));
    start = nl + 1;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      current = std::string(trim(line.substr(1, line.size() - 2)));
      out[current];
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    out[current][std::string(trim(line.substr(0, eq)))] = std::string(trim(line.substr(eq + 1)));
  }
  return out;
}

Result<AwsConfig> resolve_aws_config(const EnvLookup& env, const std::string& endpoint_flag) {
  auto creds_file = load(env, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
  if (!creds_file) return creds_file.error();
  auto config_file = load(env, "AWS_CONFIG_FILE", ".aws/config");
  if (!config_file) return config_file.error();

  const std::string profile = env_or(env, "AWS_PROFILE", "default");
  const auto* in_creds = section(creds_file->sections, profile);
  // The config file names profiles "[profile NAME]", except the default one.
  const auto* in_config = section(config_file->sections, "profile " + profile);
  if (in_config == nullptr) in_config = section(config_file->sections, profile);
  if (env("AWS_PROFILE") != nullptr && in_creds == nullptr && in_config == nullptr) {
    return Error{"AWS profile '" + profile + "' (AWS_PROFILE) is in neither '" +
                 creds_file->path + "' nor '" + config_file->path + "'"};
  }

  AwsConfig config;
  AwsCredentials& c = config.credentials;
  if (!env_or(env, "AWS_ACCESS_KEY_ID").empty()) {
    c.access_key_id = env_or(env, "AWS_ACCESS_KEY_ID");
    c.secret_access_key = env_or(env, "AWS_SECRET_ACCESS_KEY");
    c.session_token = env_or(env, "AWS_SESSION_TOKEN");
    c.source = "environment";
    if (c.secret_access_key.empty()) {
      return Error{"AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"};
    }
  } else {
    for (auto [kv, path] : {std::pair{in_creds, &creds_file->path}, std::pair{in_config, &config_file->path}}) {
      if (value(kv, "aws_access_key_id").empty()) continue;
      c.access_key_id = value(kv, "aws_access_key_id");
      c.secret_access_key = value(kv, "aws_secret_access_key");
      c.session_token = value(kv, "aws_session_token");
      c.source = "profile '" + profile + "' of '" + *path + "'";
      if (c.secret_access_key.empty()) {
        return Error{"profile '" + profile + "' of '" + *path + "' has aws_access_key_id but no "
                     "aws_secret_access_key"};
      }
      break;
    }
  }

  config.region = env_or(env, "AWS_REGION", env_or(env, "AWS_DEFAULT_REGION", value(in_config, "region")));
  if (config.region.empty()) config.region = "us-east-1";
  config.endpoint = endpoint_flag;
  if (config.endpoint.empty()) {
    config.endpoint = env_or(env, "AWS_ENDPOINT_URL_S3",
                             env_or(env, "AWS_ENDPOINT_URL", value(in_config, "endpoint_url")));
  }
  while (!config.endpoint.empty() && config.endpoint.back() == '/') config.endpoint.pop_back();
  return config;
}

}  // namespace logan
