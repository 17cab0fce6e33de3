/**
 * Loaded into the tslab kernel process before tslab starts (`node --import`,
 * after tsx): project imports and error replies, in that order, because tslab's
 * Jupyter handler loads its TypeScript on first use.
 */
import { installProjectImports } from './project_imports.ts';
import { installErrorReplies } from './error_replies.ts';

installProjectImports();
installErrorReplies();
