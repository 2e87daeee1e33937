/*
 * ffc_version.h - the version of the libffc headers, made by CMake from
 * project(ffc VERSION ...) in CMakeLists.txt (never edited by hand).
 *
 * These say what a program was built against; ffc_version() (ffc.h) says
 * what it runs with. FFC_VERSION_NUMBER compares in #if:
 *   #if FFC_VERSION_NUMBER >= FFC_MAKE_VERSION(0, 2, 0)
 */
#ifndef FFC_FFC_VERSION_H
#define FFC_FFC_VERSION_H

#define FFC_VERSION_MAJOR  0
#define FFC_VERSION_MINOR  1
#define FFC_VERSION_PATCH  0
#define FFC_VERSION_STRING "0.1.0"

#define FFC_MAKE_VERSION(major, minor, patch) ((major) * 10000 + (minor) * 100 + (patch))
#define FFC_VERSION_NUMBER \
	FFC_MAKE_VERSION(FFC_VERSION_MAJOR, FFC_VERSION_MINOR, FFC_VERSION_PATCH)

#endif
