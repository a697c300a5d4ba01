// POST /api/upload: a multipart form with one file (at most 256 KiB), read
// into memory before the request takes a worker; answers what arrived.

import { Controller, HttpError, Post, type HttpRequest, type HttpResponse } from 'httppool';

@Controller('/api')
export class UploadController {
  @Post('/upload', { body: 'multipart', multipart: { files: 1, fileSize: 256 * 1024, storage: 'memory' } })
  upload(res: HttpResponse, req: HttpRequest) {
    const [file] = req.files ?? [];
    if (file === undefined) throw new HttpError(400, 'Send one file, e.g. curl -F file=@README.md');
    res.statusCode = 201;
    return { field: file.field, filename: file.filename, mimeType: file.mimeType, size: file.size, fields: req.body };
  }
}
