/* pe-verify.h: what a delivered PDF claims, and whether it is the one that was recorded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "pe-store.h"

G_BEGIN_DECLS

typedef enum
{
  PE_VERIFY_MATCH = 0,   /* the file's hash is the one recorded for its document */
  PE_VERIFY_MODIFIED,    /* its document is known, but the recorded hash differs */
  PE_VERIFY_UNKNOWN,     /* neither its hash nor its document id is in the store */
} PeVerifyVerdict;

typedef struct
{
  char            *path;
  char            *sha256;
  gint64           bytes;
  guint            n_pages;
  char            *pdfa_part;         /* "2" from pdfaid:part, NULL if not PDF/A */
  char            *pdfa_conformance;  /* "B" */
  char            *title;
  char            *author;
  char            *producer;
  char            *document_id;       /* from the XMP (pe:documentId or xmpMM:DocumentID) */
  PeVerifyVerdict  verdict;
  char            *recorded_sha256;   /* for PE_VERIFY_MODIFIED */
} PeVerifyReport;

void            pe_verify_report_free (PeVerifyReport  *report);
/* "2b", or NULL when the file declares no PDF/A level. Free with g_free(). */
char           *pe_verify_report_dup_level (const PeVerifyReport *report);

/* Blocking. Fails only when the file cannot be read as a PDF (PE_ERROR_NOT_FOUND,
 * PE_ERROR_CORRUPT, PE_ERROR_ENCRYPTED); a file that is not ours gives PE_VERIFY_UNKNOWN. */
PeVerifyReport *pe_verify_pdf         (PeStore          *store,
                                       const char       *path,
                                       GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PeVerifyReport, pe_verify_report_free)

G_END_DECLS
