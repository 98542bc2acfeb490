import { NotFoundError } from "@/lib/server/errors";
import { errorResponse } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Any other /api path, whatever the method: a JSON 404, never the HTML page. */
async function notFound(request: Request): Promise<Response> {
  return errorResponse(new NotFoundError(`no API at ${new URL(request.url).pathname}`));
}

export { notFound as GET, notFound as HEAD, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE, notFound as OPTIONS };
