/*
 * version.c - the version of the library itself, for a program to compare
 * with the headers it was built against (FFC_VERSION_STRING).
 *
 * Owns ffc_version(). Does not own the version's value: CMakeLists.txt's
 * project() does, through the generated ffc_version.h.
 */
#include "ffc/ffc.h"

const char *ffc_version(void)
{
	return FFC_VERSION_STRING;
}
