"""Attachments (附件): the blob stores that keep their bytes, the checks a file passes before it is kept.

* :mod:`~petitionkit.attachments.settings`: ``[settings.attachments]`` (store, size limit, allowed types);
* :mod:`~petitionkit.attachments.blobs`: the :class:`BlobStore` protocol, the content-addressed folder
  store (the default) and how an office finds the store a plugin registered;
* :mod:`~petitionkit.attachments.s3`: an S3-compatible object store (boto3);
* :mod:`~petitionkit.attachments.content`: the type of a file told from its content (``filetype``),
  the size limit and the scanners of ``petitionkit_scan_attachment``.

The use cases (attach, read, verify) are :class:`petitionkit.service.attachments.AttachmentUseCases`.
"""

from petitionkit.attachments.blobs import BlobMissing, BlobStore, FolderBlobStore

__all__ = ["BlobMissing", "BlobStore", "FolderBlobStore"]
