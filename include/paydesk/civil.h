/* Civil (proleptic Gregorian) dates as days since 1970-01-01 and back:
 * Howard Hinnant's days_from_civil / civil_from_days, in one place for the
 * time zone, the history's month roll-ups and the fees' "days ago". */
#ifndef PAYDESK_CIVIL_H
#define PAYDESK_CIVIL_H

#include <stdint.h>

int64_t civil_days(int year, int month, int day);
void civil_from_days(int64_t days, int *year, int *month, int *day);

#endif
