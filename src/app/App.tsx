import { useEffect, useState } from 'react';
import { DEFAULT_MODEL } from '../engine/shippedModels.ts';
import { DataPanel } from './DataPanel.tsx';
import { EnginePanel } from './EnginePanel.tsx';
import { HistoryPanel } from './HistoryPanel.tsx';
import { LiveCharts } from './LiveCharts.tsx';
import { PoolTable } from './PoolTable.tsx';
import { ResultsPanel } from './ResultsPanel.tsx';
import { RunPanel } from './RunPanel.tsx';
import { BestSoFar, SetupSummary } from './RunView.tsx';
import { ResumeBanner } from './ResumeBanner.tsx';
import { CandidateStream } from './CandidateStream.tsx';
import { SettingsPanel } from './SettingsPanel.tsx';
import { LinkError, ShareButton, usePermalinkOpener } from './share.tsx';
import { useRunStore } from './state/runStore.ts';
import { useData } from './useData.ts';
import { useEngine } from './useEngine.ts';
import { useSearch } from './useSearch.ts';
import { countRender } from './renderCount.ts';

export function App() {
  countRender('App');
  const engine = useEngine();
  const data = useData();
  const search = useSearch(engine);
  const running = useRunStore((s) => ['running', 'pausing', 'paused', 'stopping', 'ranking'].includes(s.status));
  const [showSetup, setShowSetup] = useState(false);
  usePermalinkOpener();
  useEffect(() => {
    // Load the shipped model on first open; the backend is chosen automatically.
    void engine.load({ kind: 'shipped', name: DEFAULT_MODEL }, 'auto');
  }, [engine]);
  return (
    <main className={running ? 'running' : ''}>
      <header>
        <h1>iPrompt</h1>
        <p className="tagline">Explain a dataset in plain language, in your browser. Nothing leaves this tab.</p>
      </header>
      <LinkError />
      <ResumeBanner search={search} />
      {running && <SetupSummary open={showSetup} onToggle={() => setShowSetup(!showSetup)} />}
      {/* Folded, not unmounted, while a run goes: nothing typed in these panels is lost. */}
      <div id="setup-panels" hidden={running && !showSetup} data-testid="setup-panels">
        <DataPanel data={data} />
        <EnginePanel engine={engine} defaultModel={DEFAULT_MODEL} locked={running} />
        <SettingsPanel disabled={running} plan={engine.plan} />
      </div>
      <div className={running ? 'run-grid' : undefined} data-testid={running ? 'run-view' : undefined}>
        <div>
          {running && <BestSoFar />}
          <RunPanel search={search} />
          {running && <PoolTable />}
        </div>
        <div>
          <LiveCharts compact={running} />
          {running && <CandidateStream />}
        </div>
        {!running && <PoolTable />}
      </div>
      <ResultsPanel engine={engine} share={<ShareButton />} />
      <HistoryPanel />
    </main>
  );
}
