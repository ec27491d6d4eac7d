/* pe-store.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "pe-store.h"

G_DEFINE_INTERFACE (PeStore, pe_store, G_TYPE_OBJECT)

static void
pe_store_default_init (PeStoreInterface *iface)
{
}

PePageRecord *
pe_page_records_find (GPtrArray *pages,
                      gint64     id)
{
  for (guint i = 0; i < pages->len; i++)
    if (((PePageRecord *) g_ptr_array_index (pages, i))->id == id)
      return g_ptr_array_index (pages, i);
  return NULL;
}

void
pe_page_record_free (PePageRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->image_path);
  g_free (record->sha256);
  g_free (record->source);
  g_free (record->ocr_tsv);
  g_free (record->ocr_languages);
  g_free (record->created);
  g_free (record->clean_image_path);
  g_free (record->pdf_page_path);
  g_free (record->clean_report_json);
  g_free (record);
}

void
pe_document_record_free (PeDocumentRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->uuid);
  g_free (record->metadata_json);
  g_free (record->pdf_path);
  g_free (record->pdf_sha256);
  g_clear_pointer (&record->page_ids, g_array_unref);
  g_free (record->created);
  g_free (record);
}

void
pe_outbox_item_free (PeOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->document_uuid);
  g_free (item->target);
  g_free (item->last_error);
  g_free (item->delivered_at);
  g_free (item);
}

#define IFACE(self) PE_STORE_GET_IFACE (self)

gint64
pe_store_create_batch (PeStore     *self,
                       const char  *label,
                       GError     **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), 0);
  return IFACE (self)->create_batch (self, label, error);
}

PePageRecord *
pe_store_add_page (PeStore     *self,
                   gint64       batch_id,
                   PIX         *pix,
                   GBytes      *original,
                   const char  *original_ext,
                   const char  *source,
                   GError     **error)
{
  return pe_store_add_scanned_page (self, batch_id, pix, original, original_ext, source, 0, FALSE,
                                    error);
}

PePageRecord *
pe_store_add_scanned_page (PeStore     *self,
                           gint64       batch_id,
                           PIX         *pix,
                           GBytes      *original,
                           const char  *original_ext,
                           const char  *source,
                           guint        sheet,
                           gboolean     back_side,
                           GError     **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), NULL);
  g_return_val_if_fail (pix != NULL, NULL);
  g_return_val_if_fail (original == NULL || original_ext != NULL, NULL);
  return IFACE (self)->add_page (self, batch_id, pix, original, original_ext, source, sheet,
                                 back_side, error);
}

GPtrArray *
pe_store_list_pages (PeStore  *self,
                     gint64    batch_id,
                     GError  **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), NULL);
  return IFACE (self)->list_pages (self, batch_id, error);
}

gboolean
pe_store_set_page_ocr (PeStore     *self,
                       gint64       page_id,
                       const char  *tsv,
                       const char  *languages,
                       double       confidence,
                       GError     **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), FALSE);
  g_return_val_if_fail (tsv != NULL, FALSE);
  return IFACE (self)->set_page_ocr (self, page_id, tsv, languages, confidence, error);
}

gboolean
pe_store_set_page_state (PeStore      *self,
                         gint64        page_id,
                         PePageState   state,
                         GError      **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), FALSE);
  return IFACE (self)->set_page_state (self, page_id, state, error);
}

gboolean
pe_store_set_page_clean (PeStore     *self,
                         gint64       page_id,
                         PIX         *clean,
                         GBytes      *pdf_page,
                         const char  *report_json,
                         PePageFlags  flags,
                         GError     **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), FALSE);
  g_return_val_if_fail (clean != NULL || pdf_page != NULL, FALSE);
  return IFACE (self)->set_page_clean (self, page_id, clean, pdf_page, report_json, flags,
                                       error);
}

gboolean
pe_store_set_page_order (PeStore       *self,
                         gint64         batch_id,
                         const gint64  *page_ids,
                         guint          n_pages,
                         GError       **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), FALSE);
  g_return_val_if_fail (page_ids != NULL || n_pages == 0, FALSE);
  return IFACE (self)->set_page_order (self, batch_id, page_ids, n_pages, error);
}

PeDocumentRecord *
pe_store_create_document (PeStore       *self,
                          gint64         batch_id,
                          const gint64  *page_ids,
                          guint          n_pages,
                          const char    *metadata_json,
                          GError       **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), NULL);
  g_return_val_if_fail (page_ids != NULL && n_pages > 0, NULL);
  return IFACE (self)->create_document (self, batch_id, page_ids, n_pages, metadata_json, error);
}

GPtrArray *
pe_store_list_documents (PeStore  *self,
                         gint64    batch_id,
                         GError  **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), NULL);
  return IFACE (self)->list_documents (self, batch_id, error);
}

PeDocumentRecord *
pe_store_get_document (PeStore     *self,
                       const char  *uuid,
                       GError     **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);
  return IFACE (self)->get_document (self, uuid, error);
}

gboolean
pe_store_set_document_pdf (PeStore     *self,
                           gint64       document_id,
                           const char  *pdf_path,
                           const char  *pdf_sha256,
                           const char  *metadata_json,
                           GError     **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), FALSE);
  return IFACE (self)->set_document_pdf (self, document_id, pdf_path, pdf_sha256,
                                         metadata_json, error);
}

gboolean
pe_store_set_document_state (PeStore          *self,
                             gint64            document_id,
                             PeDocumentState   state,
                             GError          **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), FALSE);
  return IFACE (self)->set_document_state (self, document_id, state, error);
}

gboolean
pe_store_outbox_enqueue (PeStore     *self,
                         gint64       document_id,
                         const char  *target,
                         GError     **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), FALSE);
  g_return_val_if_fail (target != NULL, FALSE);
  return IFACE (self)->outbox_enqueue (self, document_id, target, error);
}

GPtrArray *
pe_store_outbox_list (PeStore   *self,
                      gboolean   due_only,
                      GError   **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), NULL);
  return IFACE (self)->outbox_list (self, due_only, error);
}

gboolean
pe_store_outbox_mark (PeStore        *self,
                      gint64          item_id,
                      PeOutboxState   state,
                      const char     *error_message,
                      gint64          next_attempt,
                      GError        **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), FALSE);
  return IFACE (self)->outbox_mark (self, item_id, state, error_message, next_attempt, error);
}

PeDocumentRecord *
pe_store_find_document_by_pdf (PeStore     *self,
                               const char  *pdf_sha256,
                               GError     **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), NULL);
  g_return_val_if_fail (pdf_sha256 != NULL, NULL);
  return IFACE (self)->find_document_by_pdf (self, pdf_sha256, error);
}

GArray *
pe_store_list_batches (PeStore  *self,
                       GError  **error)
{
  g_return_val_if_fail (PE_IS_STORE (self), NULL);
  return IFACE (self)->list_batches (self, error);
}
