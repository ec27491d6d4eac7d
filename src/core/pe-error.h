/* pe-error.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PE_ERROR (pe_error_quark ())

/* Every message carried by a PeError is translated and says what to do next. */
typedef enum
{
  PE_ERROR_FAILED,
  PE_ERROR_NOT_FOUND,       /* file, device or record does not exist */
  PE_ERROR_CORRUPT,         /* input is damaged or not what its name says */
  PE_ERROR_UNSUPPORTED,     /* format, option or combination not supported */
  PE_ERROR_ENCRYPTED,       /* password-protected input */
  PE_ERROR_TOO_LARGE,       /* input beyond the configured limits */
  PE_ERROR_INVALID,         /* invalid argument or option value */
  PE_ERROR_DEVICE,          /* scanner I/O failure */
  PE_ERROR_DEVICE_BUSY,
  PE_ERROR_JAMMED,
  PE_ERROR_COVER_OPEN,
  PE_ERROR_NO_DOCS,
  PE_ERROR_ACCESS_DENIED,
  PE_ERROR_OCR,
  PE_ERROR_PDF,
  PE_ERROR_STORE,
  PE_ERROR_DELIVERY,
  PE_ERROR_NO_SPACE,
  PE_ERROR_SHEET_MISMATCH,  /* manual duplex: the backs pass has more or fewer sheets */
} PeErrorCode;

GQuark pe_error_quark (void);

G_END_DECLS
