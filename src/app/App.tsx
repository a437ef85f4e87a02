import { useEffect } from 'react';
import { EnginePanel } from './EnginePanel.tsx';
import { useEngine } from './useEngine.ts';
import { DEFAULT_MODEL } from '../engine/shippedModels.ts';

export function App() {
  const engine = useEngine();
  useEffect(() => {
    // Load the shipped model on first open; the backend is chosen automatically.
    void engine.load({ kind: 'shipped', name: DEFAULT_MODEL }, 'auto');
  }, [engine]);
  return (
    <main>
      <header>
        <h1>iPrompt</h1>
        <p className="tagline">Explain a dataset in plain language, in your browser. Nothing leaves this tab.</p>
      </header>
      <EnginePanel engine={engine} defaultModel={DEFAULT_MODEL} />
    </main>
  );
}
