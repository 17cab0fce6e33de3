/**
 * Makes a failed tslab cell say why in its execute_reply. tslab prints the
 * compile error or exception to the cell's stderr but replies with a bare
 * `status: 'error'`, so headless runners (nbconvert, nbclient) report an empty
 * error. Here the reply carries the cell's stderr text as `evalue`.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type WriteStream = (name: string, text: string) => void;
/** The execute_reply content (Jupyter messaging protocol, "execute_reply"). */
export interface ExecuteReply {
  status: string;
  execution_count?: number;
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
type HandleExecute = (req: unknown, writeStream: WriteStream, writeDisplayData: unknown) => Promise<ExecuteReply>;

/** Fill `ename`/`evalue`/`traceback` of a failed reply from the stderr the cell wrote. */
export function withErrorText(reply: ExecuteReply, stderr: string): ExecuteReply {
  if (reply.status !== 'error') return reply;
  const text = stderr.trim() || 'the cell failed without printing a reason';
  return { ...reply, ename: 'CellError', evalue: text, traceback: [text] };
}

/** Patch tslab's Jupyter handler so failed cells reply with their error text. */
export function installErrorReplies(): void {
  const req = createRequire(import.meta.url);
  const tslabDir = dirname(req.resolve('tslab/package.json'));
  const jupyter = req(join(tslabDir, 'dist', 'jupyter.js')) as { JupyterHandlerImpl: { prototype: { handleExecute: HandleExecute } } };
  const proto = jupyter.JupyterHandlerImpl.prototype;
  const original = proto.handleExecute;
  proto.handleExecute = async function (this: unknown, request, writeStream, writeDisplayData) {
    let stderr = '';
    const capture: WriteStream = (name, text) => {
      if (name === 'stderr') stderr += text;
      writeStream(name, text);
    };
    return withErrorText(await original.call(this, request, capture, writeDisplayData), stderr);
  };
}
