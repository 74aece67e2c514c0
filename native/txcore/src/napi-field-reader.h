// Reads the fields of a JavaScript object that a TypeScript wrapper validated (replay-options.ts,
// synthesis-options.ts, ts-replay-options.ts): a missing field or a wrong type is a wrapper
// bug, reported as "<where>.<key> must be ..." (the first one only). Every getter returns a
// harmless value after a failure, so a reader reads straight through and checks ok() once.
#pragma once

#include <napi.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace txcore {

class FieldReader {
 public:
  FieldReader(Napi::Object obj, std::string* error, std::string where = "config") : obj_(obj), error_(error), where_(std::move(where)) {}

  bool ok() const { return error_->empty(); }
  bool fail(const char* key, const char* what) {
    if (ok()) *error_ = where_ + "." + key + " must be " + what;
    return false;
  }
  // A reader of a nested object, sharing this one's error.
  FieldReader nested(Napi::Object obj, const std::string& name) const { return FieldReader(obj, error_, where_ + "." + name); }

  double number(const char* key) {
    Napi::Value v = obj_.Get(key);
    if (!v.IsNumber()) return fail(key, "a number"), 0;
    return v.As<Napi::Number>().DoubleValue();
  }
  std::string string(const char* key) {
    Napi::Value v = obj_.Get(key);
    if (!v.IsString()) return fail(key, "a string"), std::string();
    return v.As<Napi::String>().Utf8Value();
  }
  bool boolean(const char* key) {
    Napi::Value v = obj_.Get(key);
    if (!v.IsBoolean()) return fail(key, "a boolean"), false;
    return v.As<Napi::Boolean>().Value();
  }
  Napi::Array array(const char* key) {
    Napi::Value v = obj_.Get(key);
    if (!v.IsArray()) return fail(key, "an array"), Napi::Array::New(obj_.Env());
    return v.As<Napi::Array>();
  }
  Napi::Object object(const char* key) {
    Napi::Value v = obj_.Get(key);
    if (!v.IsObject()) return fail(key, "an object"), Napi::Object::New(obj_.Env());
    return v.As<Napi::Object>();
  }
  // `n` bytes given as 2n hex digits.
  void hex(const char* key, uint8_t* out, size_t n) {
    std::string s = string(key);
    if (!ok()) return;
    if (s.size() != 2 * n) return void(fail(key, "hex bytes of the right length"));
    for (size_t i = 0; i < n; i++) out[i] = static_cast<uint8_t>(strtoul(s.substr(2 * i, 2).c_str(), nullptr, 16));
  }
  // Copies the first `limit` elements (all when limit is SIZE_MAX) of a typed array of T.
  template <typename T>
  bool typedArray(const char* key, napi_typedarray_type type, std::vector<T>* out, size_t limit = SIZE_MAX) {
    Napi::Value v = obj_.Get(key);
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) return fail(key, "a typed array of the expected element type");
    Napi::TypedArrayOf<T> a = v.As<Napi::TypedArrayOf<T>>();
    if (limit != SIZE_MAX && a.ElementLength() < limit) return fail(key, "at least `count` elements long");
    size_t n = a.ElementLength() < limit ? a.ElementLength() : limit;
    out->assign(a.Data(), a.Data() + n);
    return true;
  }

 private:
  Napi::Object obj_;
  std::string* error_;
  std::string where_;
};

}  // namespace txcore
