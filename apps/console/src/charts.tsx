/**
 * ECharts through echarts/core with only what the pages draw registered (line, bar,
 * Sankey, heatmap; grid, tooltip, legend, visual map; canvas), so the bundle carries
 * none of the rest.
 */
import { BarChart, HeatmapChart, LineChart, SankeyChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'preact/hooks';
import { useTheme } from './theme';

echarts.use([LineChart, BarChart, SankeyChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, AriaComponent, CanvasRenderer]);

export type ChartOption = echarts.EChartsCoreOption;

/** `caption` shows the label above the chart, for charts without a heading of their own. */
export function Chart({ option, label, height = 280, caption = false, onClick }: { option: ChartOption; label: string; height?: number; caption?: boolean; onClick?: (params: { dataType?: string; data?: unknown; name?: string }) => void }) {
  const element = useRef<HTMLDivElement>(null);
  const theme = useTheme();
  useEffect(() => {
    const chart = echarts.init(element.current!, theme === 'dark' ? 'dark' : undefined, { renderer: 'canvas' });
    chart.setOption({ backgroundColor: 'transparent', aria: { enabled: true }, animation: false, ...option });
    if (onClick) chart.on('click', (params) => onClick(params as never));
    const resize = new ResizeObserver(() => chart.resize());
    resize.observe(element.current!);
    return () => {
      resize.disconnect();
      chart.dispose();
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
