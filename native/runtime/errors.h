#pragma once

#include <windows.h>

#include <string>

class ObjectTable;

// BITS's own words for an HRESULT where the service gives them, else the
// system's; empty when neither knows it (lib/ then uses its built-in table).
std::wstring DescribeHResult(ObjectTable& objects, HRESULT hr);
std::wstring SystemMessage(HRESULT hr);
