/**
 * ECharts through echarts/core with only what the pages draw registered (line, bar,
 * Sankey, heatmap; grid, tooltip, legend, visual map, aria; canvas). Loaded on the first
 * chart, as its own chunk: the Users page, the usual first page, draws none.
 */
import { BarChart, HeatmapChart, LineChart, SankeyChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  BarChart,
  SankeyChart,
  HeatmapChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  AriaComponent,
  CanvasRenderer,
]);

export { echarts };
