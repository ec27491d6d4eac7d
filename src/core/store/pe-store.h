/* pe-store.h: the batch store interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Batches, their pages (image file, hash, geometry, state, OCR), documents (ordered pages,
 * metadata) and the outbox. Every call commits before it returns, so a crash at any point
 * resumes from the last recorded state. SQLite (PeSqliteStore) is the only implementation
 * today; a shared PostgreSQL store for scan centres will implement the same interface.
 * Implementations are thread-safe.
 */
#pragma once

#include <gio/gio.h>
#include <allheaders.h>

#include "pe-types.h"

G_BEGIN_DECLS

/* What cleanup and the separate stage found on a page. */
typedef enum
{
  PE_PAGE_FLAG_BLANK     = 1 << 0,  /* nothing on it: left out of documents, kept */
  PE_PAGE_FLAG_SEPARATOR = 1 << 1,  /* a separator sheet */
} PePageFlags;

typedef struct
{
  gint64       id;
  gint64       batch_id;
  guint        seq;          /* 1-based feed order within the batch */
  guint        position;     /* reading order within the batch: pages are listed by it; the
                              * same values as seq, permuted by manual duplex collation */
  char        *image_path;   /* absolute path of the stored image */
  char        *sha256;       /* of the image file */
  guint        dpi;
  guint        width;
  guint        height;
  guint        depth;        /* 1, 8 or 32 */
  char        *source;
  PePageState  state;
  char        *ocr_tsv;      /* NULL until OCR is done */
  char        *ocr_languages;
  double       ocr_confidence;
  char        *created;      /* ISO 8601 UTC */
  char        *clean_image_path;   /* the cleaned page (NULL until cleaned); the original is
                                    * kept beside it */
  char        *clean_report_json;  /* what cleanup did, for the scan protocol */
  gboolean     blank;              /* marked blank by cleanup: left out of documents, kept */
  char        *pdf_page_path;      /* the page encoded for the PDF (PePdfPage bytes), made
                                    * once after cleanup; NULL before, or in older stores */
  guint        sheet;              /* physical sheet in its acquisition, 0 if not known */
  gboolean     back_side;          /* the back of a duplex sheet */
  gboolean     separator;          /* a separator sheet (left out of documents, kept) */
} PePageRecord;

typedef struct
{
  gint64           id;
  char            *uuid;
  gint64           batch_id;
  guint            seq;
  PeDocumentState  state;
  char            *metadata_json;  /* descriptive metadata, a JSON object */
  char            *pdf_path;
  char            *pdf_sha256;
  GArray          *page_ids;       /* gint64, in document order */
  char            *created;
} PeDocumentRecord;

typedef enum
{
  PE_OUTBOX_PENDING   = 0,
  PE_OUTBOX_DELIVERED = 1,
  PE_OUTBOX_FAILED    = 2,   /* gave up after too many attempts; retried only on request */
} PeOutboxState;

typedef struct
{
  gint64         id;
  gint64         document_id;
  char          *document_uuid;
  char          *target;        /* "folder:/path" */
  PeOutboxState  state;
  guint          attempts;
  gint64         next_attempt;  /* unix time */
  char          *last_error;
  char          *delivered_at;
} PeOutboxItem;

void pe_page_record_free     (PePageRecord     *record);
/* The record of page @id in @pages (PePageRecord *, as pe_store_list_pages() gives them), or
 * NULL. */
PePageRecord *pe_page_records_find (GPtrArray *pages,
                                    gint64     id);
void pe_document_record_free (PeDocumentRecord *record);
void pe_outbox_item_free     (PeOutboxItem     *item);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PePageRecord, pe_page_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PeDocumentRecord, pe_document_record_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PeOutboxItem, pe_outbox_item_free)

#define PE_TYPE_STORE (pe_store_get_type ())
G_DECLARE_INTERFACE (PeStore, pe_store, PE, STORE, GObject)

struct _PeStoreInterface
{
  GTypeInterface parent_iface;

  gint64            (*create_batch)        (PeStore           *self,
                                            const char        *label,
                                            GError           **error);
  PePageRecord     *(*add_page)            (PeStore           *self,
                                            gint64             batch_id,
                                            PIX               *pix,
                                            GBytes            *original,
                                            const char        *original_ext,
                                            const char        *source,
                                            guint              sheet,
                                            gboolean           back_side,
                                            GError           **error);
  GPtrArray        *(*list_pages)          (PeStore           *self,
                                            gint64             batch_id,
                                            GError           **error);
  gboolean          (*set_page_ocr)        (PeStore           *self,
                                            gint64             page_id,
                                            const char        *tsv,
                                            const char        *languages,
                                            double             confidence,
                                            GError           **error);
  gboolean          (*set_page_state)      (PeStore           *self,
                                            gint64             page_id,
                                            PePageState        state,
                                            GError           **error);
  gboolean          (*set_page_clean)      (PeStore           *self,
                                            gint64             page_id,
                                            PIX               *clean,
                                            GBytes            *pdf_page,
                                            const char        *report_json,
                                            PePageFlags        flags,
                                            GError           **error);
  gboolean          (*set_page_order)      (PeStore           *self,
                                            gint64             batch_id,
                                            const gint64      *page_ids,
                                            guint              n_pages,
                                            GError           **error);
  PeDocumentRecord *(*create_document)     (PeStore           *self,
                                            gint64             batch_id,
                                            const gint64      *page_ids,
                                            guint              n_pages,
                                            const char        *metadata_json,
                                            GError           **error);
  GPtrArray        *(*list_documents)      (PeStore           *self,
                                            gint64             batch_id,
                                            GError           **error);
  PeDocumentRecord *(*get_document)        (PeStore           *self,
                                            const char        *uuid,
                                            GError           **error);
  gboolean          (*set_document_pdf)    (PeStore           *self,
                                            gint64             document_id,
                                            const char        *pdf_path,
                                            const char        *pdf_sha256,
                                            const char        *metadata_json,
                                            GError           **error);
  gboolean          (*set_document_state)  (PeStore           *self,
                                            gint64             document_id,
                                            PeDocumentState    state,
                                            GError           **error);
  gboolean          (*outbox_enqueue)      (PeStore           *self,
                                            gint64             document_id,
                                            const char        *target,
                                            GError           **error);
  GPtrArray        *(*outbox_list)         (PeStore           *self,
                                            gboolean           due_only,
                                            GError           **error);
  gboolean          (*outbox_mark)         (PeStore           *self,
                                            gint64             item_id,
                                            PeOutboxState      state,
                                            const char        *error_message,
                                            gint64             next_attempt,
                                            GError           **error);
  GArray           *(*list_batches)        (PeStore           *self,
                                            GError           **error);
  PeDocumentRecord *(*find_document_by_pdf) (PeStore          *self,
                                            const char        *pdf_sha256,
                                            GError           **error);
};

gint64            pe_store_create_batch       (PeStore           *self,
                                               const char        *label,
                                               GError           **error);
/* Writes the image durably (@original as is if given, else @pix), hashes it, and commits the
 * page row; the file exists before its row does. Returns the new record. */
PePageRecord     *pe_store_add_page           (PeStore           *self,
                                               gint64             batch_id,
                                               PIX               *pix,
                                               GBytes            *original,
                                               const char        *original_ext,
                                               const char        *source,
                                               GError           **error);
/* The same, for a page scanned as side @back_side of sheet @sheet (1-based; 0: not known). */
PePageRecord     *pe_store_add_scanned_page   (PeStore           *self,
                                               gint64             batch_id,
                                               PIX               *pix,
                                               GBytes            *original,
                                               const char        *original_ext,
                                               const char        *source,
                                               guint              sheet,
                                               gboolean           back_side,
                                               GError           **error);
/* In reading order (see PePageRecord.position). */
GPtrArray        *pe_store_list_pages         (PeStore           *self,
                                               gint64             batch_id,
                                               GError           **error);
/* Puts @page_ids (pages of @batch_id) in this reading order, in one transaction; they take the
 * positions they already hold between them, so other pages keep theirs. */
gboolean          pe_store_set_page_order     (PeStore           *self,
                                               gint64             batch_id,
                                               const gint64      *page_ids,
                                               guint              n_pages,
                                               GError           **error);
gboolean          pe_store_set_page_ocr       (PeStore           *self,
                                               gint64             page_id,
                                               const char        *tsv,
                                               const char        *languages,
                                               double             confidence,
                                               GError           **error);
gboolean          pe_store_set_page_state     (PeStore           *self,
                                               gint64             page_id,
                                               PePageState        state,
                                               GError           **error);
/* Stores the cleaned page durably beside the original with the cleanup report, and moves the
 * page to PE_PAGE_CLEANED: @clean (if not NULL) as an image (G4 TIFF for 1 bpp, PNG otherwise),
 * @pdf_page (if not NULL) as the file the PDF is built from; at least one of them. */
gboolean          pe_store_set_page_clean     (PeStore           *self,
                                               gint64             page_id,
                                               PIX               *clean,
                                               GBytes            *pdf_page,
                                               const char        *report_json,
                                               PePageFlags        flags,
                                               GError           **error);
PeDocumentRecord *pe_store_create_document    (PeStore           *self,
                                               gint64             batch_id,
                                               const gint64      *page_ids,
                                               guint              n_pages,
                                               const char        *metadata_json,
                                               GError           **error);
GPtrArray        *pe_store_list_documents     (PeStore           *self,
                                               gint64             batch_id,
                                               GError           **error);
PeDocumentRecord *pe_store_get_document       (PeStore           *self,
                                               const char        *uuid,
                                               GError           **error);
gboolean          pe_store_set_document_pdf   (PeStore           *self,
                                               gint64             document_id,
                                               const char        *pdf_path,
                                               const char        *pdf_sha256,
                                               const char        *metadata_json,
                                               GError           **error);
gboolean          pe_store_set_document_state (PeStore           *self,
                                               gint64             document_id,
                                               PeDocumentState    state,
                                               GError           **error);
/* Idempotent: enqueueing the same document for the same target twice keeps one item. */
gboolean          pe_store_outbox_enqueue     (PeStore           *self,
                                               gint64             document_id,
                                               const char        *target,
                                               GError           **error);
/* Pending items (due now if @due_only) or, with @due_only FALSE, all items. */
GPtrArray        *pe_store_outbox_list        (PeStore           *self,
                                               gboolean           due_only,
                                               GError           **error);
gboolean          pe_store_outbox_mark        (PeStore           *self,
                                               gint64             item_id,
                                               PeOutboxState      state,
                                               const char        *error_message,
                                               gint64             next_attempt,
                                               GError           **error);
GArray           *pe_store_list_batches       (PeStore           *self,
                                               GError           **error);
/* The document whose PDF has this SHA-256, or NULL with PE_ERROR_NOT_FOUND. */
PeDocumentRecord *pe_store_find_document_by_pdf (PeStore         *self,
                                               const char        *pdf_sha256,
                                               GError           **error);

G_END_DECLS
