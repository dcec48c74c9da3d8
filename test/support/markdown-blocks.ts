/** One fenced code block of a Markdown page: its language, its first line's number (1-based) and its lines. */
export interface CodeBlock {
  lang: string;
  firstLine: number;
  lines: string[];
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  let open: CodeBlock | undefined;
  markdown.split('\n').forEach((line, i) => {
    const fence = /^```(\S*)\s*$/.exec(line);
    if (fence && !open) open = { lang: fence[1], firstLine: i + 2, lines: [] };
    else if (fence && open) {
      blocks.push(open);
      open = undefined;
    } else open?.lines.push(line);
  });
  return blocks;
}

/**
 * The page's `sh` blocks as one bash script in which every command keeps its page line number (everything outside
 * the blocks, and the lines `keep` refuses, are blank lines), so that bash's BASH_LINENO names the page's line.
 */
export function shellScriptOf(markdown: string, keep: (line: string) => string): string {
  const script = markdown.split('\n').map(() => '');
  for (const block of codeBlocks(markdown).filter((b) => b.lang === 'sh')) {
    block.lines.forEach((line, i) => (script[block.firstLine - 1 + i] = keep(line)));
  }
  return script.join('\n');
}
