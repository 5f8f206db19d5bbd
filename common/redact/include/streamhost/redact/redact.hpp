// The one redaction rule of the project (docs/security.md, "Redaction"): logs, errors, the CLI's
// output, GET /pipeline/config, dead-letter reasons and metrics labels all pass what might hold a
// secret through these functions, so a form covered here is covered everywhere.
//
// A secret key: a name that, lower-cased with '-', '.' and ' ' read as '_', contains password,
// passwd, secret, token, credential, api_key, apikey, private_key, privatekey, authorization,
// cookie, jaas, keystore_key, key_pem, user_info, userinfo or access_key, unless it ends in "_file"
// or "_env" (those name where a secret lives, not the secret). So x-api-key, private-key,
// basic.auth.user.info, sasl.jaas.config and ssl.key.password are secret keys.
//
// What is replaced by "[redacted]":
//   - in a URL: the password of its user-info (user:[redacted]@), or the whole user-info when it
//     has no password (a token used as the URL's user: [redacted]@), the user-info found by
//     url::user_info_end (a raw '#', '/', '?', quote or space in a password is still caught);
//     the value of every query parameter whose name, percent-decoded, is a secret key or one of
//     key, sig, signature, auth, code;
//   - in text: the value after `<secret key>=` (spaces or tabs around '=' allowed, as libpq
//     allows; a percent-encoded key decoded), quoted ('...' with backslash escapes, as libpq's
//     keyword DSNs write it, or "...") or up to the next white space, so `password=...` inside a
//     DSN is caught wherever the DSN appears; the value after `<secret key>:` (a header; the key
//     starts a word) and after `"<secret key>":` (JSON in a message), quoted or up to white
//     space, ',', ';', '}' or ']', an Authorization value keeping its scheme word
//     ("Authorization: Token [redacted]"); the credentials after "Bearer " or "Basic ";
//   - in JSON: the whole value of a member whose key is a secret key (a string, a number, an
//     object); the "value" of an object whose "name" or "key" is a secret key (name/value lists
//     such as HTTP headers); and every string as text, at every depth.
//
// Thread-safe and allocation-only: no global state. Each call is linear in its input.
#pragma once

#include <string>
#include <string_view>

namespace streamhost::redact {

inline constexpr std::string_view kRedacted = "[redacted]";

// Whether a member, parameter or setting named `key` holds a secret, under the rule above.
bool is_secret_key(std::string_view key);

// `url` with its credentials replaced; text that is not a URL is returned as redact_text does.
std::string redact_url(std::string_view url);

// Free text (an error message, a log line, a dead-letter reason) with every URL's credentials,
// every `<secret key>=value`, `<secret key>: value`, `"<secret key>": value` and every
// Bearer/Basic credential replaced.
std::string redact_text(std::string_view text);

// `json_text` with every secret replaced, re-serialised compactly. Throws std::invalid_argument
// when it is not JSON.
std::string redact_json(std::string_view json_text);

}  // namespace streamhost::redact
