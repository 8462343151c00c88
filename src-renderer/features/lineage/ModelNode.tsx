/** A model (or source table) in the lineage graph: a header and one row per column, each with handles. */
import { Handle, Position, type Node, type NodeProps } from '@xyflow/react';
import type { LineageNode } from '../../../src-shared/lineage';

export const HEADER_HEIGHT = 34;
export const ROW_HEIGHT = 22;
export const NODE_WIDTH = 250;

export type ModelNodeData = {
  node: LineageNode;
  highlighted: Set<string>;
  selected: string | undefined;
  focus: boolean;
  onColumn(column: string): void;
  onHeader(): void;
};

export type ModelFlowNode = Node<ModelNodeData, 'model'>;

export function ModelNode({ data }: NodeProps<ModelFlowNode>) {
  const { node, highlighted, selected, focus } = data;
  const key = (column: string) => `${node.model.toLowerCase()}\u0000${column.toLowerCase()}`;
  return (
    <div className={`lineage-node${focus ? ' is-focus' : ''}${node.kind === 'SOURCE' || node.kind === 'EXTERNAL' ? ' is-source' : ''}`} data-testid={`lineage-node-${node.model}`} style={{ width: NODE_WIDTH }}>
      <button type="button" className="lineage-node-header nodrag" onClick={data.onHeader} title={node.file ? `Open ${node.file}` : node.model}>
        <span className="lineage-node-name">{node.model}</span>
        <span className="lineage-node-kind">{node.kind}</span>
      </button>
      {node.columns.map((column) => {
        const lit = highlighted.has(key(column.name));
        const isSelected = selected === key(column.name);
        return (
          <div
            key={column.name}
            className={`lineage-column nodrag${lit ? ' is-lit' : ''}${isSelected ? ' is-selected' : ''}${column.unknown ? ' is-unknown' : ''}`}
            data-testid={`lineage-column-${node.model}.${column.name}`}
            data-highlighted={lit ? 'true' : 'false'}
            style={{ height: ROW_HEIGHT }}
            onClick={() => data.onColumn(column.name)}
            title={column.unknown ? `Lineage unknown: ${column.unknown}` : (column.expression ?? column.name)}
          >
            <Handle type="target" position={Position.Left} id={`in:${column.name.toLowerCase()}`} className="lineage-handle" isConnectable={false} />
            <span className="lineage-column-name">{column.name}</span>
            {column.unknown && <span className="lineage-unknown" aria-label="lineage unknown">?</span>}
            <Handle type="source" position={Position.Right} id={`out:${column.name.toLowerCase()}`} className="lineage-handle" isConnectable={false} />
          </div>
        );
      })}
    </div>
  );
}
