/* SPDX-License-Identifier: MIT */
/*
 * compat: calls that are banned in this project fail the build when a file includes this header
 * (every project .c does, through common/mem.h or directly). Use the safe replacements:
 * snprintf for sprintf, memcpy with a known length for strcpy, strtoll with checks for atoi,
 * time_rfc3339_* for gmtime/localtime.
 */
#ifndef COMMON_COMPAT_H
#define COMMON_COMPAT_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BANNED_(func) sorry_##func##_is_a_banned_function
#undef strcpy
#define strcpy(x, y) BANNED_(strcpy)
#undef strcat
#define strcat(x, y) BANNED_(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED_(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED_(strncat)
#undef sprintf
#define sprintf(...) BANNED_(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED_(vsprintf)
#undef strtok
#define strtok(x, y) BANNED_(strtok)
#undef atoi
#define atoi(x) BANNED_(atoi)
#undef atol
#define atol(x) BANNED_(atol)
#undef gmtime
#define gmtime(x) BANNED_(gmtime)
#undef localtime
#define localtime(x) BANNED_(localtime)
#undef ctime
#define ctime(x) BANNED_(ctime)
#undef asctime
#define asctime(x) BANNED_(asctime)
#undef gets
#define gets(x) BANNED_(gets)

#endif
