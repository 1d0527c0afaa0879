// libxlsxwriter: writes Office Open XML spreadsheets that Excel, WPS and LibreOffice open.
#include <xlsxwriter.h>
