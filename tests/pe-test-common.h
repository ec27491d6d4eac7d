/* pe-test-common.h: helpers shared by the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <allheaders.h>

#include "pe-ocr-result.h"

G_BEGIN_DECLS

/* A fresh temporary directory, removed recursively by pe_test_rmdir(). */
char     *pe_test_mkdtemp      (void);
void      pe_test_rmdir        (const char *path);
/* Path of a page of the bundled sample stack, data/sample/pages/NAME. */
char     *pe_test_sample_page  (const char *name);
/* That page decoded; aborts the test if it cannot be read. */
PIX      *pe_test_load_sample_page (const char *name);
/* A Tesseract TSV fixture in tests/data, parsed; aborts unless it holds more than 50 words. */
PeOcrResult *pe_test_load_ocr  (const char *name);
/* Path of a file in tests/data. */
char     *pe_test_data_path    (const char *name);
/* Path of a program in tools/ (pdfa-check, ocr-cer). */
char     *pe_test_tool_path    (const char *name);
/* Runs @argv, returns its exit status; stdout/stderr returned if non-NULL, else discarded. */
int       pe_test_run          (const char *const *argv,
                                char              **out,
                                char              **err);
/* The same with @input on the program's standard input (then closed). */
int       pe_test_run_with_input (const char *const *argv,
                                  const char        *input,
                                  char             **out,
                                  char             **err);
/* True and a skip message when @program is not on PATH. */
gboolean  pe_test_skip_unless_program (const char *program);
/* Writes @v big-endian at @p (PNG chunk lengths and CRCs in hand-made files). */
void      pe_test_put_be32     (guint8     *p,
                                guint32     v);

G_END_DECLS
