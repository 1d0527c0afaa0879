#ifndef BANGFU_CSYSTEMD_SHIM_H
#define BANGFU_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>
#endif
