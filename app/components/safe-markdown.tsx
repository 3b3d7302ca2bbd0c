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

function BlockNode({ block }: { block: Block }) {
  if (block.type === "heading") {
    const Heading = `h${block.level}` as const;
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

/** Admin-edited text, rendered from the safe subset's tree (see app/lib/safe-markdown.ts). */
export function SafeMarkdown({ source, className }: { source: string; className?: string }) {
  const blocks = parseSafeMarkdown(source);
  return (
    <div className={className ?? "prose"}>
      {blocks.map((block, index) => (
        <BlockNode key={index} block={block} />
      ))}
    </div>
  );
}
