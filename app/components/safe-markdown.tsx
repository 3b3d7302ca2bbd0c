import { Link } from "@remix-run/react";
import { Fragment } from "react";
import { parseSafeMarkdown, type Block, type Inline } from "~/lib/safe-markdown";

function InlineNodes({ nodes }: { nodes: Inline[] }) {
  return (
    <>
      {nodes.map((node, index) => {
        switch (node.type) {
          case "text":
            return <Fragment key={index}>{node.text}</Fragment>;
          case "code":
            return <code key={index}>{node.text}</code>;
          case "strong":
            return (
              <strong key={index}>
                <InlineNodes nodes={node.children} />
              </strong>
            );
          case "link":
            return node.href.startsWith("/") ? (
              <Link key={index} to={node.href}>
                <InlineNodes nodes={node.children} />
              </Link>
            ) : (
              <a key={index} href={node.href} rel="noopener noreferrer nofollow">
                <InlineNodes nodes={node.children} />
              </a>
            );
        }
      })}
    </>
  );
}

type HeadingLevel = 1 | 2 | 3 | 4 | 5 | 6;

/**
 * The page's heading level for each level the text uses: the text's own levels, in order, become
 * consecutive levels from `top` down, so an admin's "###" under the page's h1 skips no level.
 */
function headingLevels(blocks: Block[], top: HeadingLevel): Map<number, HeadingLevel> {
  const used = [...new Set(blocks.flatMap((block) => (block.type === "heading" ? [block.level] : [])))].sort((a, b) => a - b);
  return new Map(used.map((level, rank) => [level, Math.min(6, top + rank) as HeadingLevel]));
}

function BlockNode({ block, levels }: { block: Block; levels: Map<number, HeadingLevel> }) {
  if (block.type === "heading") {
    const Heading = `h${levels.get(block.level) ?? block.level}` as const;
    return (
      <Heading>
        <InlineNodes nodes={block.children} />
      </Heading>
    );
  }
  if (block.type === "list") {
    const List = block.ordered ? "ol" : "ul";
    return (
      <List>
        {block.items.map((item, index) => (
          <li key={index}>
            <InlineNodes nodes={item} />
          </li>
        ))}
      </List>
    );
  }
  return (
    <p>
      <InlineNodes nodes={block.children} />
    </p>
  );
}

/**
 * Admin-edited text, rendered from the safe subset's tree (see app/lib/safe-markdown.ts). Its
 * headings start at `headingLevel` (h2 unless said: under the page's h1).
 */
export function SafeMarkdown({ source, className, headingLevel = 2 }: { source: string; className?: string; headingLevel?: HeadingLevel }) {
  const blocks = parseSafeMarkdown(source);
  const levels = headingLevels(blocks, headingLevel);
  return (
    <div className={className ?? "prose"}>
      {blocks.map((block, index) => (
        <BlockNode key={index} block={block} levels={levels} />
      ))}
    </div>
  );
}
