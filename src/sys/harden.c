#include "paydesk/harden.h"

#include <sys/prctl.h>
#include <sys/resource.h>

int harden_no_core_dumps(void)
{
	struct rlimit none = {0, 0};
	int rc = 0;
	if (setrlimit(RLIMIT_CORE, &none) != 0)
		rc = -1;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		rc = -1;
	return rc;
}
