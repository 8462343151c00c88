/** The left navigation between the app's views. */
import { useNavigation, type View } from '../../store/navigation';

const ITEMS: { view: View; label: string; icon: string }[] = [
  { view: 'models', label: 'Models', icon: '❖' },
  { view: 'query', label: 'Query', icon: '▤' },
  { view: 'lineage', label: 'Lineage', icon: '⇶' },
  { view: 'ingest', label: 'Ingest', icon: '⇩' },
  { view: 'lake', label: 'Lake', icon: '◫' },
  { view: 'environments', label: 'Environments', icon: '⎇' },
];

export function NavBar() {
  const { view, go } = useNavigation();
  return (
    <nav className="navbar" aria-label="Views">
      {ITEMS.map((item) => (
        <button
          key={item.view}
          type="button"
          className={item.view === view ? 'nav-item active' : 'nav-item'}
          aria-current={item.view === view ? 'page' : undefined}
          onClick={() => go(item.view)}
        >
          <span className="nav-icon" aria-hidden="true">
            {item.icon}
          </span>
          {item.label}
        </button>
      ))}
    </nav>
  );
}
