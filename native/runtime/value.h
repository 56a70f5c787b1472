// Threads: built on any thread (COM pool threads, BITS's RPC threads); ToJs runs
// on the JS thread only.
//
// A plain C++ value tree. Work on the COM pool and BITS's callbacks fill one; the
// JS thread turns it into JavaScript. This keeps every Node-API call on the JS
// thread and every COM call off it.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

// A COM object handed to JS: the JS thread wraps it in the class registered
// under `kind` (AddonState::SetWrapperClass; the module numbers its classes).
struct NativeHandle {
  uint32_t kind = 0;
  uint64_t id = 0;    // the object's entry in the ObjectTable
  std::wstring name;  // the object's own identity where it has one, for describe()
};

class NValue {
  enum class Kind { Undefined, Null, Bool, Number, String, Object, Array, Buffer, Handle };

 public:
  NValue() = default;
  static NValue Null() { return NValue(Kind::Null); }
  static NValue Bool(bool b) {
    NValue v(Kind::Bool);
    v.number_ = b ? 1 : 0;
    return v;
  }
  static NValue Number(double n) {
    NValue v(Kind::Number);
    v.number_ = n;
    return v;
  }
  static NValue String(std::wstring s) {
    NValue v(Kind::String);
    v.string_ = std::move(s);
    return v;
  }
  static NValue Object() { return NValue(Kind::Object); }
  static NValue Array() { return NValue(Kind::Array); }
  static NValue Buffer(std::vector<uint8_t> bytes) {
    NValue v(Kind::Buffer);
    v.bytes_ = std::move(bytes);
    return v;
  }
  static NValue Handle(NativeHandle h) {
    NValue v(Kind::Handle);
    v.handle_ = std::move(h);
    return v;
  }

  NValue& Set(const char* key, NValue value) {
    props_.emplace_back(key, std::move(value));
    return *this;
  }
  NValue& Push(NValue value) {
    items_.push_back(std::move(value));
    return *this;
  }

  // handleToJs builds the wrapper object for a Handle value.
  // A tree without handles may pass NoHandles.
  template <class HandleToJs>
  Napi::Value ToJs(Napi::Env env, const HandleToJs& handleToJs) const {
    switch (kind_) {
      case Kind::Undefined:
        return env.Undefined();
      case Kind::Null:
        return env.Null();
      case Kind::Bool:
        return Napi::Boolean::New(env, number_ != 0);
      case Kind::Number:
        return Napi::Number::New(env, number_);
      case Kind::String:
        return Napi::String::New(env, reinterpret_cast<const char16_t*>(string_.data()), string_.size());
      case Kind::Object: {
        Napi::Object o = Napi::Object::New(env);
        for (const auto& [key, value] : props_) o.Set(key, value.ToJs(env, handleToJs));
        return o;
      }
      case Kind::Array: {
        Napi::Array a = Napi::Array::New(env, items_.size());
        for (size_t i = 0; i < items_.size(); i++) a.Set(static_cast<uint32_t>(i), items_[i].ToJs(env, handleToJs));
        return a;
      }
      case Kind::Buffer:
        return Napi::Buffer<uint8_t>::Copy(env, bytes_.data(), bytes_.size());
      case Kind::Handle:
        return handleToJs(env, handle_);
    }
    return env.Undefined();
  }

  static Napi::Value NoHandles(Napi::Env env, const NativeHandle&) { return env.Undefined(); }

 private:
  explicit NValue(Kind k) : kind_(k) {}

  Kind kind_ = Kind::Undefined;
  double number_ = 0;
  std::wstring string_;
  std::vector<std::pair<std::string, NValue>> props_;
  std::vector<NValue> items_;
  std::vector<uint8_t> bytes_;
  NativeHandle handle_;
};
