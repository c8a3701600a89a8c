/** Charts drawn by ECharts, loaded on first use (echarts-setup.tsx). */
import type { EChartsCoreOption } from 'echarts/core';
import { useEffect, useRef } from 'preact/hooks';
import { useTheme } from './theme';

export type ChartOption = EChartsCoreOption;

let loading: Promise<typeof import('./echarts-setup')> | undefined;
const loadEcharts = () => (loading ??= import('./echarts-setup'));

/** `caption` shows the label above the chart, for charts without a heading of their own. */
export function Chart({
  option,
  label,
  height = 280,
  caption = false,
  onClick,
}: {
  option: ChartOption;
  label: string;
  height?: number;
  caption?: boolean;
  onClick?: (params: { dataType?: string; data?: unknown; name?: string; seriesName?: string; dataIndex?: number }) => void;
}) {
  const element = useRef<HTMLDivElement>(null);
  const theme = useTheme();
  useEffect(() => {
    let disposed = false;
    let cleanup = () => undefined as void;
    void loadEcharts().then(({ echarts }) => {
      if (disposed || !element.current) return;
      const chart = echarts.init(element.current, theme === 'dark' ? 'dark' : undefined, { renderer: 'canvas' });
      chart.setOption({ backgroundColor: 'transparent', aria: { enabled: true }, animation: false, ...option });
      if (onClick) chart.on('click', (params) => onClick(params as never));
      const resize = new ResizeObserver(() => chart.resize());
      resize.observe(element.current);
      cleanup = () => {
        resize.disconnect();
        chart.dispose();
      };
    });
    return () => {
      disposed = true;
      cleanup();
    };
  }, [option, theme]);
  const chart = <div class="chart" ref={element} role="img" aria-label={label} style={{ height: `${height}px` }} />;
  return caption ? (
    <figure class="chart-figure">
      <figcaption>{label}</figcaption>
      {chart}
    </figure>
  ) : (
    chart
  );
}
